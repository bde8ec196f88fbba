"""Draws Nomade's app icons (ours, no third-party artwork): python3 pwa/scripts/make_icons.py."""

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent / "public" / "icons"
BLUE, WHITE, GOLD = (29, 58, 138), (255, 255, 255), (250, 204, 21)


def draw(size: int, *, maskable: bool) -> Image.Image:
    img = Image.new("RGB", (size, size), BLUE)
    d = ImageDraw.Draw(img)
    # maskable icons keep their drawing inside the central 80 % safe zone
    pad = size * (0.26 if maskable else 0.18)
    left, right, top, bottom = pad, size - pad, pad, size - pad
    stroke = max(2, int(size * 0.11))
    d.line(
        [(left, bottom), (left, top), (right, bottom), (right, top)],
        fill=WHITE,
        width=stroke,
        joint="curve",
    )
    r = size * 0.06
    d.ellipse([right - r, top - r, right + r, top + r], fill=GOLD)
    return img


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    draw(192, maskable=False).save(OUT / "icon-192.png", optimize=True)
    draw(512, maskable=False).save(OUT / "icon-512.png", optimize=True)
    draw(512, maskable=True).save(OUT / "maskable-512.png", optimize=True)
    draw(180, maskable=False).save(OUT / "apple-touch-icon.png", optimize=True)


if __name__ == "__main__":
    main()
