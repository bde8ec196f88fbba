"""Expense policy: dated rule sets per organisation and the checks run on each expense line."""
