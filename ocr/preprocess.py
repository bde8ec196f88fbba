"""Image preparation before OCR: gate, find and crop the receipt, deskew, scale, flatten light.

All functions take and return 8-bit grayscale numpy arrays; none of them calls Tesseract.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from ocr.errors import OcrError

__all__ = (
    "QualityMetrics",
    "crop_receipt",
    "deskew",
    "find_receipt_quads",
    "flatten_light",
    "ink_share",
    "measure_quality",
    "quality_gate",
    "scale_for_ocr",
    "shrink_early",
    "to_gray",
    "trim_dark_margins",
)

#: Cap on the side used by the analysis steps (contours, skew, metrics): cheap and stable.
ANALYSIS_SIDE = 640
#: Median character height to scale to (measured: smaller was as accurate and faster).
TARGET_TEXT_HEIGHT = 16
MAX_OCR_SIDE = 2400
#: Text height kept by :func:`shrink_early`, as a multiple of the OCR target.
EARLY_HEADROOM = 1.5

Quad = np.ndarray


def to_gray(image: Image.Image) -> np.ndarray:
    """RGB Pillow image → uint8 grayscale array."""
    return np.asarray(image.convert("L"), dtype=np.uint8)


def _small(gray: np.ndarray, side: int = ANALYSIS_SIDE) -> tuple[np.ndarray, float]:
    h, w = gray.shape
    scale = min(1.0, side / max(h, w))
    if scale < 1.0:
        gray = cv2.resize(gray, (max(1, round(w * scale)), max(1, round(h * scale))),
                          interpolation=cv2.INTER_AREA)
    return gray, scale


@dataclass(frozen=True)
class QualityMetrics:
    """Cheap measures taken before OCR."""

    brightness: float
    contrast: float
    sharpness: float
    ink_ratio: float
    blank_share: float


def measure_quality(gray: np.ndarray) -> QualityMetrics:
    """Brightness (mean), contrast (std), sharpness (Laplacian variance), ink ratio."""
    small, _ = _small(gray, 1000)
    lap = cv2.Laplacian(small, cv2.CV_64F)
    _, binary = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    ink = float(np.count_nonzero(binary == 0)) / binary.size
    h, w = (d // 8 * 8 for d in small.shape)
    blocks = small[:h, :w].astype(np.float32).reshape(h // 8, 8, w // 8, 8)
    blank = float((blocks.std(axis=(1, 3)) < 6).mean()) if h and w else 0.0
    return QualityMetrics(
        brightness=float(small.mean()),
        contrast=float(small.std()),
        sharpness=float(lap.var()),
        ink_ratio=ink,
        blank_share=blank,
    )


def quality_gate(metrics: QualityMetrics) -> None:
    """Refuse quickly what OCR cannot read: blank, dark, blurred, or noise-like images."""
    if metrics.contrast < 6:
        raise OcrError("OCR_NOT_A_RECEIPT", {"reason": "blank", "contrast": metrics.contrast})
    if metrics.blank_share < 0.12:
        # Paper has blank areas between lines; noise and busy scenes have none.
        raise OcrError("OCR_NOT_A_RECEIPT", {"reason": "texture", "blank": metrics.blank_share})
    if metrics.brightness < 45:
        raise OcrError("OCR_RETAKE_DARK", {"brightness": round(metrics.brightness, 1)})
    if metrics.sharpness < 12:
        raise OcrError("OCR_RETAKE_BLURRY", {"sharpness": round(metrics.sharpness, 1)})


def find_receipt_quads(gray: np.ndarray) -> list[Quad]:
    """Bright paper-like regions, as 4-point quads in full-image coordinates.

    An empty list means the paper fills the frame (a scan) or could not be told apart.
    """
    small, scale = _small(gray)
    h, w = small.shape
    blurred = cv2.GaussianBlur(small, (5, 5), 0)
    _, paper = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (max(3, w // 40), max(3, h // 40)))
    paper = cv2.morphologyEx(paper, cv2.MORPH_CLOSE, kernel)
    paper = cv2.morphologyEx(paper, cv2.MORPH_OPEN, kernel)
    contours, _ = cv2.findContours(paper, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    area = float(h * w)
    quads: list[tuple[float, Quad]] = []
    for contour in contours:
        c_area = cv2.contourArea(contour)
        if c_area < 0.06 * area:
            continue
        rect = cv2.minAreaRect(contour)
        (rw, rh) = rect[1]
        if rw * rh <= 0 or c_area / (rw * rh) < 0.7:
            continue
        inside = np.zeros_like(small)
        cv2.drawContours(inside, [contour], -1, 255, thickness=cv2.FILLED)
        outside = small[inside == 0]
        if outside.size < 0.04 * area or float(small[inside > 0].mean()) - float(
            np.median(outside)
        ) < 40:
            continue  # no darker background around it: a scan, or light and shade on paper
        hull = cv2.convexHull(contour)
        approx = cv2.approxPolyDP(hull, 0.02 * cv2.arcLength(hull, True), True)
        pts = approx.reshape(-1, 2) if len(approx) == 4 else cv2.boxPoints(rect)
        quads.append((c_area, np.asarray(pts, dtype=np.float32) / scale))
    quads.sort(key=lambda item: -item[0])
    return [q for _, q in quads]


def _order(quad: Quad) -> Quad:
    s = quad.sum(axis=1)
    d = np.diff(quad, axis=1).ravel()
    return np.array(
        [quad[np.argmin(s)], quad[np.argmin(d)], quad[np.argmax(s)], quad[np.argmax(d)]],
        dtype=np.float32,
    )


def crop_receipt(gray: np.ndarray, quads: list[Quad]) -> tuple[np.ndarray, bool]:
    """Warp the largest quad to a flat rectangle; raise when two receipts share the photo."""
    if not quads:
        return gray, False
    h, w = gray.shape
    areas = [float(cv2.contourArea(q.reshape(-1, 1, 2))) for q in quads]
    if len(quads) >= 2 and areas[1] >= 0.4 * areas[0] and areas[1] >= 0.06 * h * w:
        raise OcrError("OCR_MULTIPLE_RECEIPTS", {"count": len(quads)})
    if areas[0] > 0.9 * h * w:
        return gray, False
    tl, tr, br, bl = _order(quads[0])
    width = int(max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl)))
    height = int(max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr)))
    if width < 50 or height < 50:
        return gray, False
    dst = np.array([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]],
                   dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(np.array([tl, tr, br, bl]), dst)
    warped = cv2.warpPerspective(gray, matrix, (width, height), flags=cv2.INTER_LINEAR,
                                 borderMode=cv2.BORDER_REPLICATE)
    return warped, True


#: Share of a side a dark margin may take (scanner lid, table, torn edge) before it counts as
#: part of the receipt.
MAX_DARK_MARGIN = 0.2


def _dark_run(profile: np.ndarray, dark: float, limit: int) -> int:
    run = 0
    while run < limit and profile[run] < dark:
        run += 1
    return run


def trim_dark_margins(gray: np.ndarray) -> tuple[np.ndarray, bool]:
    """Cut dark bands along the edges (background around a scan, a torn paper edge).

    Tesseract binarises the page with one global threshold: a dark band drags it down and
    faint print then vanishes, so the band goes before OCR.
    """
    small, scale = _small(gray)
    cumulative = np.cumsum(np.bincount(small.ravel(), minlength=256))
    paper = float(np.searchsorted(cumulative, 0.9 * cumulative[-1]))  # 90th percentile
    dark = 0.6 * paper
    rows, cols = small.mean(axis=1), small.mean(axis=0)
    h, w = small.shape
    top = _dark_run(rows, dark, int(h * MAX_DARK_MARGIN))
    bottom = _dark_run(rows[::-1], dark, int(h * MAX_DARK_MARGIN))
    left = _dark_run(cols, dark, int(w * MAX_DARK_MARGIN))
    right = _dark_run(cols[::-1], dark, int(w * MAX_DARK_MARGIN))
    if not (top or bottom or left or right):
        return gray, False
    pad = 2  # analysis pixels: the blurred edge of the band goes too
    full_h, full_w = gray.shape
    y0 = min(full_h - 1, round((top + pad * (top > 0)) / scale))
    y1 = max(y0 + 1, full_h - round((bottom + pad * (bottom > 0)) / scale))
    x0 = min(full_w - 1, round((left + pad * (left > 0)) / scale))
    x1 = max(x0 + 1, full_w - round((right + pad * (right > 0)) / scale))
    return gray[y0:y1, x0:x1], True


def _ink(small: np.ndarray) -> np.ndarray:
    return cv2.adaptiveThreshold(small, 255, cv2.ADAPTIVE_THRESH_MEAN_C,
                                 cv2.THRESH_BINARY_INV, 25, 15)


def ink_share(gray: np.ndarray) -> float:
    """Share of pixels that local thresholding calls ink (text is sparse; noise is not)."""
    small, _ = _small(gray, 1000)
    return float(np.count_nonzero(_ink(small))) / small.size


def estimate_skew(gray: np.ndarray, limit: float = 6.0, step: float = 0.5) -> float:
    """Angle (degrees) that makes text rows most horizontal, by projection profiles."""
    small, _ = _small(gray, 800)
    ink = _ink(small)
    h, w = ink.shape
    centre = (w / 2, h / 2)
    best_angle, best_score = 0.0, -1.0
    for angle in np.arange(-limit, limit + step / 2, step):
        matrix = cv2.getRotationMatrix2D(centre, float(angle), 1.0)
        rotated = cv2.warpAffine(ink, matrix, (w, h), flags=cv2.INTER_NEAREST)
        profile = rotated.sum(axis=1, dtype=np.float64)
        score = float(np.square(np.diff(profile)).sum())
        if score > best_score:
            best_angle, best_score = float(angle), score
    return best_angle


def deskew(gray: np.ndarray) -> tuple[np.ndarray, float]:
    """Rotate by the estimated skew when it is at least half a degree."""
    angle = estimate_skew(gray)
    if abs(angle) < 0.5:
        return gray, 0.0
    h, w = gray.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    rotated = cv2.warpAffine(gray, matrix, (w, h), flags=cv2.INTER_LINEAR,
                             borderMode=cv2.BORDER_REPLICATE)
    return rotated, angle


def text_height(gray: np.ndarray) -> float | None:
    """Median height of character-like connected components, in pixels."""
    small, scale = _small(gray, 1600)
    ink = _ink(small)
    count, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    if count <= 1:
        return None
    heights = stats[1:, cv2.CC_STAT_HEIGHT]
    widths = stats[1:, cv2.CC_STAT_WIDTH]
    keep = (heights >= 5) & (heights <= small.shape[0] / 8) & (widths <= heights * 3)
    if int(keep.sum()) < 20:
        return None
    return float(np.median(heights[keep])) / scale


def shrink_early(gray: np.ndarray) -> tuple[np.ndarray, float]:
    """Downscale at once an image far larger than OCR needs (a 600 dpi scan, a 12 MP photo),
    so that cropping, deskewing and flattening work on fewer pixels. Text stays half again as
    high as the OCR target: rotating at the final size would blur it."""
    h, w = gray.shape
    if max(h, w) <= 2000:
        return gray, 1.0
    height = text_height(gray)
    if not height:
        return gray, 1.0
    scale = min(1.0, EARLY_HEADROOM * TARGET_TEXT_HEIGHT / height)
    if scale > 0.7:
        return gray, 1.0
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return cv2.resize(gray, size, interpolation=cv2.INTER_AREA), scale


def scale_for_ocr(gray: np.ndarray) -> tuple[np.ndarray, float]:
    """Resize so text is about :data:`TARGET_TEXT_HEIGHT` px high, within a side cap."""
    h, w = gray.shape
    height = text_height(gray)
    scale = TARGET_TEXT_HEIGHT / height if height else 1600 / max(h, w)
    scale = float(np.clip(scale, 0.15, 3.0))
    scale = min(scale, MAX_OCR_SIDE / max(h, w))
    if abs(scale - 1.0) < 0.05:
        return gray, 1.0
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    resized = cv2.resize(gray, (max(1, round(w * scale)), max(1, round(h * scale))),
                         interpolation=interpolation)
    return resized, scale


def flatten_light(gray: np.ndarray) -> np.ndarray:
    """Divide by the estimated paper brightness: removes shadows and normalises contrast."""
    h, w = gray.shape
    k = max(15, (min(h, w) // 30) | 1)
    background = cv2.morphologyEx(gray, cv2.MORPH_CLOSE,
                                  cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    background = cv2.GaussianBlur(background, (k, k), 0)
    flat = cv2.divide(gray, np.maximum(background, 1), scale=255).astype(np.float32)
    low, high = float(flat.min()), float(flat.max())
    if high - low < 1:
        return gray
    return ((flat - low) * (255.0 / (high - low))).astype(np.uint8)
