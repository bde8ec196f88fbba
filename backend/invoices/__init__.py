"""Supplier invoices (factures fournisseurs): status history, stages, deadlines, statistics."""
