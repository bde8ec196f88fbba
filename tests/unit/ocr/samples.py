"""Hostile and ordinary receipt files built in memory for the OCR tests."""

from __future__ import annotations

import hashlib
import io
import struct
import zlib

from PIL import Image, ImageDraw, ImageFont

from bench.synthetic_receipts import build, draw, photograph

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"


def receipt_image(seed: int = 3, level: int = 0) -> tuple[Image.Image, int]:
    """A synthetic French receipt (photographed at ``level``) and its total in cents."""
    import random

    receipt = build(seed)
    rng = random.Random(seed)
    paper = draw(receipt, rng)
    return photograph(paper, rng, level), receipt.total


def encode(image: Image.Image, fmt: str = "JPEG", **params: object) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **params)
    return out.getvalue()


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_declaring(width: int, height: int, bit_depth: int = 1) -> bytes:
    """A valid grayscale PNG of zeros, compressed row by row (tiny file, huge pixel count)."""
    row = b"\x00" + b"\x00" * ((width * bit_depth + 7) // 8)
    comp = zlib.compressobj(9)
    parts = [comp.compress(row) for _ in range(height)]
    parts.append(comp.flush())
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", b"".join(parts))
            + _chunk(b"IEND", b""))


def _pdf(objects: list[bytes], trailer_extra: bytes = b"") -> bytes:
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += (f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R ".encode() + trailer_extra
            + f">>\nstartxref\n{xref}\n%%EOF\n".encode())
    return bytes(out)


def text_pdf(pages: list[list[str]]) -> bytes:
    """A PDF with a real text layer (Helvetica), one list of lines per page."""
    n = len(pages)
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(n))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               f"<< /Type /Pages /Kids [{kids}] /Count {n} >>".encode()]
    font_obj = 3 + 2 * n
    for i, lines in enumerate(pages):
        ops = ["BT", "/F1 11 Tf", "14 TL", "40 560 Td"]
        for line in lines:
            safe = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            ops.append(f"({safe}) Tj T*")
        ops.append("ET")
        stream = "\n".join(ops).encode("latin-1")
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 600] /Contents {4 + 2 * i} 0 R "
            f"/Resources << /Font << /F1 {font_obj} 0 R >> >> >>".encode()
        )
        objects.append(f"<< /Length {len(stream)} >>\nstream\n".encode() + stream
                       + b"\nendstream")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    return _pdf(objects)


_PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")


def _rc4(key: bytes, data: bytes) -> bytes:
    s = list(range(256))
    j = 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) % 256
        s[i], s[j] = s[j], s[i]
    i = j = 0
    out = bytearray()
    for byte in data:
        i = (i + 1) % 256
        j = (j + s[i]) % 256
        s[i], s[j] = s[j], s[i]
        out.append(byte ^ s[(s[i] + s[j]) % 256])
    return bytes(out)


def encrypted_pdf(user_password: bytes = b"secret") -> bytes:
    """A PDF protected by the standard security handler (RC4 40-bit, revision 2)."""
    file_id = hashlib.md5(b"nomade-test", usedforsecurity=False).digest()
    owner_key = hashlib.md5((b"owner" + _PAD)[:32], usedforsecurity=False).digest()[:5]
    o_entry = _rc4(owner_key, (user_password + _PAD)[:32])
    p_value = -44
    key = hashlib.md5((user_password + _PAD)[:32] + o_entry + struct.pack("<i", p_value)
                      + file_id, usedforsecurity=False).digest()[:5]
    u_entry = _rc4(key, _PAD)
    base = text_pdf([["TOTAL TTC 12,50"]])
    body = base[: base.rindex(b"xref")]
    objects_text = body.split(b"\nendobj\n")
    objects = [chunk.split(b" 0 obj\n", 1)[1] for chunk in objects_text if b" 0 obj\n" in chunk]
    objects.append(f"<< /Filter /Standard /V 1 /R 2 /O <{o_entry.hex()}> /U <{u_entry.hex()}> "
                   f"/P {p_value} >>".encode())
    return _pdf(objects, f"/Encrypt {len(objects)} 0 R /ID [<{file_id.hex()}> "
                         f"<{file_id.hex()}>] ".encode())


def two_receipts_photo() -> bytes:
    a, _ = receipt_image(3, 0)
    b, _ = receipt_image(8, 0)
    w = a.width + b.width + 300
    h = max(a.height, b.height) + 200
    canvas = Image.new("RGB", (w, h), (60, 50, 45))
    canvas.paste(a, (100, 100))
    canvas.paste(b, (a.width + 200, 100))
    return encode(canvas)


def selfie_like(size: tuple[int, int] = (3000, 4000)) -> bytes:
    """A smooth face-like photo: gradients and blobs, no text."""
    img = Image.new("RGB", size, (180, 140, 120))
    d = ImageDraw.Draw(img)
    w, h = size
    d.ellipse((w * 0.2, h * 0.15, w * 0.8, h * 0.75), fill=(225, 185, 160))
    d.ellipse((w * 0.33, h * 0.35, w * 0.43, h * 0.42), fill=(40, 30, 30))
    d.ellipse((w * 0.57, h * 0.35, w * 0.67, h * 0.42), fill=(40, 30, 30))
    d.rectangle((0, h * 0.8, w, h), fill=(30, 60, 120))
    return encode(img, quality=85)


def text_free_font() -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(FONT, 20)
