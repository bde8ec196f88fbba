"""``GET /metrics`` of a ``nomade worker`` process (it serves no web app of its own).

Workers send the Web Push notifications and run OCR. With ``PROMETHEUS_MULTIPROC_DIR`` shared
with the app processes, their counters (push delivery outcomes) are in the apps' ``/metrics``
too; a worker on a machine without app processes answers Prometheus on its own port
(``NOMADE_WORKER_METRICS_PORT``; 0 = off) with the same figures and the same access rule as the
app processes: the metrics token when one is set, otherwise loopback callers only.
"""

from __future__ import annotations

import asyncio
import logging

from kernel.metrics import CONTENT_TYPE, exposition, scrape_allowed

__all__ = ("MetricsServer",)

log = logging.getLogger("nomade.worker")
_MAX_HEAD = 16 * 1024


def _response(
    status: str, body: str | bytes, content_type: str = "text/plain; charset=utf-8"
) -> bytes:
    data = body.encode() if isinstance(body, str) else body
    head = (
        f"HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\n"
        f"content-length: {len(data)}\r\nconnection: close\r\n\r\n"
    )
    return head.encode() + data


class MetricsServer:
    """A minimal HTTP/1.1 server answering ``GET /metrics`` (anything else: 404)."""

    def __init__(self, host: str, port: int, token: str) -> None:
        self._host, self._port, self._token = host, port, token
        self._server: asyncio.Server | None = None

    @property
    def port(self) -> int:
        """The bound port (useful when started on port 0 in tests)."""
        assert self._server is not None and self._server.sockets
        return int(self._server.sockets[0].getsockname()[1])

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, self._host, self._port)
        log.info("worker metrics on %s:%s", self._host, self.port)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=5)
            if len(head) > _MAX_HEAD:
                raise ValueError("head too large")
            request_line, *header_lines = head.decode("latin-1").split("\r\n")
            method, path, *_ = request_line.split(" ")
            headers = {
                k.strip().lower(): v.strip()
                for k, _s, v in (line.partition(":") for line in header_lines if ":" in line)
            }
            peer = writer.get_extra_info("peername")
            if method != "GET" or path.split("?")[0] != "/metrics":
                writer.write(_response("404 Not Found", "not found\n"))
            elif not scrape_allowed(
                token=self._token,
                authorization=headers.get("authorization", ""),
                client_host=peer[0] if peer else "",
                proxied=False,
            ):
                writer.write(_response("403 Forbidden", "forbidden\n"))
            else:
                writer.write(_response("200 OK", await exposition(), CONTENT_TYPE))
            await writer.drain()
        except (
            asyncio.IncompleteReadError,
            asyncio.LimitOverrunError,
            TimeoutError,
            ValueError,
            ConnectionError,
        ):
            pass  # a broken or slow scrape: drop the connection
        finally:
            writer.close()
