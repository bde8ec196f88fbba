"""Piccolo project file: the engine from Nomade's settings and one Piccolo app per domain."""

from piccolo.conf.apps import AppRegistry

from kernel.db import make_engine
from kernel.settings import get_settings

DB = make_engine(get_settings())

APP_REGISTRY = AppRegistry(
    apps=[
        "kernel.outbox.piccolo_app",
        "backend.accounts.piccolo_app",
        "sync.piccolo_app",
        "backend.expenses.piccolo_app",
        "backend.audit.piccolo_app",
        "backend.missions.piccolo_app",
        "backend.orders.piccolo_app",
        "backend.invoices.piccolo_app",
        "backend.claims.piccolo_app",
        "backend.policy.piccolo_app",
        "notifications.piccolo_app",
        "backend.administration.piccolo_app",
        "backend.comments.piccolo_app",
    ]
)
