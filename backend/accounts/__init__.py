"""Accounts: organisations, units, supplier companies, users, delegations, devices and sessions."""
