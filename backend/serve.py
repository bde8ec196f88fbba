"""``nomade serve``: granian serving ``create_app`` (several workers in production)."""

from __future__ import annotations

from kernel.ports import check_port_free
from kernel.settings import get_settings

__all__ = ("serve",)


def serve(*, host: str | None, port: int | None, workers: int = 1) -> int:
    """Serve Nomade until interrupted."""
    from granian.constants import Interfaces
    from granian.server import Server

    settings = get_settings()
    address, port = host or settings.host, port or settings.port
    check_port_free("nomade serve", address, port)
    Server(
        "backend.asgi:app",
        address=address,
        port=port,
        interface=Interfaces.ASGI,
        workers=workers,
        log_access=False,
    ).serve()
    return 0
