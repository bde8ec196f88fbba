"""Benchmarks (one command each)."""
