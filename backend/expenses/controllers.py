"""Read routes of expense lines: the receipt images shown beside the fields read from them."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get

from backend.expenses.receipt_images import ReceiptImage, receipt_image
from kernel.guards import current_actor, requires_role
from ocr.thumbnails import Rendition

__all__ = ("ExpenseLineController",)

#: A rendition never changes for a given ETag (blob hash + rendition version): cache it for
#: a year, in the user's browser only.
_CACHE_CONTROL = "private, max-age=31536000, immutable"


def _answer(image: ReceiptImage) -> Response[bytes]:
    headers = {"ETag": image.etag, "Cache-Control": _CACHE_CONTROL}
    if image.content is None:
        return Response(b"", status_code=304, headers=headers)
    return Response(image.content, media_type="image/jpeg", headers=headers)


async def _rendition(request: Request[Any, Any, Any], line_id: UUID, sha256: str,
                     rendition: Rendition) -> Response[bytes]:
    image = await receipt_image(current_actor(request), line_id, sha256, rendition,
                                if_none_match=request.headers.get("if-none-match"))
    return _answer(image)


class ExpenseLineController(Controller):
    path = "/api/v1/expense-lines"
    # Suppliers never see expense lines: refused here; ownership is checked by the service.
    guards = [requires_role("agent", "manager", "back_office", "admin")]  # noqa: RUF012
    tags = ["expenses"]  # noqa: RUF012

    @get("/{line_id:uuid}/receipts/{sha256:str}/thumbnail", operation_id="getReceiptThumbnail",
         summary="A receipt of the line as a JPEG thumbnail (longest side 480 px)")
    async def thumbnail(self, request: Request[Any, Any, Any], line_id: UUID,
                        sha256: str) -> Response[bytes]:
        return await _rendition(request, line_id, sha256, "thumbnail")

    @get("/{line_id:uuid}/receipts/{sha256:str}/image", operation_id="getReceiptImage",
         summary="A receipt of the line as a JPEG to check it full screen (longest side 1600 px)")
    async def image(self, request: Request[Any, Any, Any], line_id: UUID,
                    sha256: str) -> Response[bytes]:
        return await _rendition(request, line_id, sha256, "image")
