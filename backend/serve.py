"""``nomade serve``: granian serving ``create_app`` (several workers in production)."""

from __future__ import annotations

from backend.settings import get_settings

__all__ = ("serve",)


def serve(*, host: str | None, port: int | None, workers: int = 1) -> int:
    """Serve Nomade until interrupted."""
    from granian.constants import Interfaces
    from granian.server import Server

    settings = get_settings()
    Server(
        "backend.asgi:app",
        address=host or settings.host,
        port=port or settings.port,
        interface=Interfaces.ASGI,
        workers=workers,
        log_access=False,
    ).serve()
    return 0
