"""Refusing to start on a port another process holds (``nomade serve``, ``nomade worker``).

Granian binds with ``SO_REUSEPORT``: a second ``nomade serve`` on a taken port started without
a word and the kernel split the traffic between two servers (with different VAPID keys). A
bind without that option fails when anyone listens there; with ``SO_REUSEADDR`` (as the
servers themselves bind) it does not fail on the closed connections of a process that just
stopped (TIME_WAIT), so a restart on the same port is not refused.
"""

from __future__ import annotations

import errno
import socket

__all__ = ("PortTaken", "check_port_free")


class PortTaken(SystemExit):
    """The port is held by another process: the command stops with a message naming it."""


def check_port_free(command: str, host: str, port: int) -> None:
    """Raise :class:`PortTaken` (exit status 1) when ``host:port`` cannot be bound."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise
            raise PortTaken(
                f"{command}: port {port} on {host} is already in use by another process; "
                f"stop it or choose another port") from exc
