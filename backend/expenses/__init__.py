"""Expenses domain (notes de frais): expense lines, as synced drafts."""
