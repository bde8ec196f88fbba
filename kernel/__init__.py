"""The platform layer: settings, database, errors, logs, metrics, jobs, live pokes, time.

It imports no domain, nor sync or notifications (import contracts in pyproject.toml).
"""
