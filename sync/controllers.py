"""Thin HTTP routes of the sync protocol (``/sync/v1``)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Request, get, head, patch, post
from litestar.channels import ChannelsPlugin
from litestar.params import HeaderParameter
from litestar.response import Response, ServerSentEvent, Stream

from kernel import lifecycle, metrics
from kernel.errors import DomainError
from kernel.guards import current_actor, signed_in
from kernel.requests import decode_json_body
from kernel.settings import get_settings
from sync import blobs
from sync.contract_openapi import PullOperation, PushOperation
from sync.live import event_stream, make_poke
from sync.pull import pull
from sync.push import MAX_MUTATIONS, MAX_PUSH_BYTES, apply_batch
from sync.stream_limits import StreamCounter, counted
from sync.wire import (
    BlobStatus,
    BlobUploadCreate,
    PullRequest,
    PullResponse,
    PushRequest,
    PushResponse,
)

__all__ = ("sync_route_handlers",)

_TAGS = ["sync"]
STREAMS = StreamCounter()  # this process's open live-event streams


async def _decode(request: Request[Any, Any, Any], kind: type[Any], max_bytes: int) -> Any:
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > max_bytes:
        raise DomainError("PUSH_TOO_LARGE", {"max_bytes": max_bytes})
    body = await request.body()
    if len(body) > max_bytes:
        raise DomainError("PUSH_TOO_LARGE", {"max_bytes": max_bytes})
    return decode_json_body(body, kind)


@post("/sync/v1/push", guards=[signed_in], operation_id="syncPush", tags=_TAGS,
      status_code=200, request_max_body_size=MAX_PUSH_BYTES + 1, operation_class=PushOperation)
async def push_route(request: Request[Any, Any, Any]) -> PushResponse:
    """Apply a batch of intents; answers their acks and, when ``cookie`` is sent, a pull page."""
    actor = current_actor(request)
    body: PushRequest = await _decode(request, PushRequest, MAX_PUSH_BYTES)
    if len(body.mutations) > MAX_MUTATIONS:
        raise DomainError("PUSH_TOO_MANY", {"max_mutations": MAX_MUTATIONS})
    seqs = [m.seq for m in body.mutations]
    if seqs != sorted(seqs) or len(set(seqs)) != len(seqs):
        raise DomainError("VALIDATION_FAILED",
                          {"detail": "mutations must be in increasing seq order"})
    if body.pending is not None:
        metrics.pending_reported(body.pending, body.oldest_pending_seconds)
    poke = make_poke(request.app.plugins.get(ChannelsPlugin))
    acks, last_seq = await apply_batch(actor, body.client_id, body.schema_version,
                                       body.app_version, body.mutations, poke)
    page = None
    if body.cookie is not msgspec.UNSET:
        page = await pull(actor, body.client_id, body.cookie, 1000, body.schema_version)
    return PushResponse(acks=acks, last_seq=last_seq, pull=page)


@post("/sync/v1/pull", guards=[signed_in], operation_id="syncPull", tags=_TAGS, status_code=200,
      operation_class=PullOperation)
async def pull_route(request: Request[Any, Any, Any]) -> PullResponse:
    """One page of the changes visible to the caller since ``cookie``."""
    body: PullRequest = await _decode(request, PullRequest, 64 * 1024)
    return await pull(current_actor(request), body.client_id, body.cookie, body.limit,
                      body.schema_version)


@get("/sync/v1/events", guards=[signed_in], operation_id="syncEvents", tags=_TAGS)
async def events_route(
    request: Request[Any, Any, Any],
    last_event_id: Annotated[str | None, HeaderParameter(name="Last-Event-ID")] = None,
) -> ServerSentEvent:
    """Server-sent pokes ``{organisation, version}`` and heartbeats; pull when poked.

    Capped per user and per process (LIVE_STREAMS_PER_USER 429, LIVE_STREAMS_FULL 503)."""
    channels = request.app.plugins.get(ChannelsPlugin)
    actor = current_actor(request)
    settings = get_settings()
    STREAMS.open(actor.user_id, per_user=settings.live_streams_per_user,
                 per_process=settings.live_streams_per_process)
    # On SIGTERM the stream ends with a `reconnect` event (kernel.lifecycle) so the process
    # can drain; the client reconnects at once through nginx to a process still running.
    stream = counted(event_stream(actor, channels, last_event_id), STREAMS, actor.user_id)
    return ServerSentEvent(lifecycle.closing_on_shutdown(stream),
                           headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


@post("/sync/v1/blobs", guards=[signed_in], operation_id="syncBlobCreate", tags=_TAGS,
      status_code=200)
async def blob_create(request: Request[Any, Any, Any], data: BlobUploadCreate) -> BlobStatus:
    """Start or resume the upload of a blob; a blob already stored is complete at once."""
    return await blobs.create_upload(current_actor(request), data)


@get("/sync/v1/blobs/uploads/{upload_id:uuid}", guards=[signed_in],
     operation_id="syncBlobUploadStatus", tags=_TAGS)
async def blob_status(request: Request[Any, Any, Any], upload_id: UUID) -> Response[BlobStatus]:
    """Where an upload stands (``offset``), to resume it."""
    status = await blobs.upload_status(current_actor(request), upload_id)
    return Response(status, headers={"Upload-Offset": str(status.offset)})


@head("/sync/v1/blobs/uploads/{upload_id:uuid}", guards=[signed_in],
      operation_id="syncBlobUploadHead", tags=_TAGS)
async def blob_head(request: Request[Any, Any, Any], upload_id: UUID) -> Response[None]:
    """The upload's offset in the ``Upload-Offset`` header."""
    status = await blobs.upload_status(current_actor(request), upload_id)
    return Response(None, headers={"Upload-Offset": str(status.offset),
                                   "Upload-Length": str(status.size)})


@patch("/sync/v1/blobs/uploads/{upload_id:uuid}", guards=[signed_in],
       operation_id="syncBlobUploadChunk", tags=_TAGS)
async def blob_chunk(
    request: Request[Any, Any, Any],
    upload_id: UUID,
    upload_offset: Annotated[int, HeaderParameter(name="Upload-Offset", ge=0)],
    chunk_sha256: Annotated[str, HeaderParameter(name="Upload-Chunk-SHA256", max_length=64)],
) -> Response[BlobStatus]:
    """Append one chunk at ``Upload-Offset`` (its SHA-256 in ``Upload-Chunk-SHA256``)."""
    data = await request.body()
    status = await blobs.upload_chunk(current_actor(request), upload_id, upload_offset,
                                      chunk_sha256, data)
    return Response(status, headers={"Upload-Offset": str(status.offset)})


@get("/sync/v1/blobs/{sha256:str}", guards=[signed_in], operation_id="syncBlobDownload",
     tags=_TAGS)
async def blob_download(request: Request[Any, Any, Any], sha256: str,
                        organisation_id: UUID | None = None) -> Stream:
    """The blob's bytes, for users who can see a document referencing it (a supplier names the
    organisation of their invoice with ``organisation_id``)."""
    blob, chunks = await blobs.open_download(current_actor(request), sha256, organisation_id)
    return Stream(chunks, media_type=blob.content_type, headers={
        "Content-Length": str(blob.size), "ETag": f'"{blob.sha256}"',
        "Cache-Control": "private, max-age=31536000, immutable"})


def sync_route_handlers() -> list[Any]:
    """Every route of the sync protocol (the intents it serves are installed at start-up)."""
    return [push_route, pull_route, events_route, blob_create, blob_status, blob_head,
            blob_chunk, blob_download]
