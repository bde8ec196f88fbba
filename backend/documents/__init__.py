"""Printable documents (PDF) of missions and expense claims, for the file and the accountant."""
