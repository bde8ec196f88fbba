"""The audit trail: every submission, decision, certification and status event, append-only."""
