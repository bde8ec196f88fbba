"""Expense claims (états de frais): lines of a mission gathered for payment."""
