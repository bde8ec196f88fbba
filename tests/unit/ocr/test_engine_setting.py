"""NOMADE_OCR_ENGINE picks the receipt text engine; the cascade is the default."""

from __future__ import annotations

import msgspec
import pytest

from kernel.settings import load_settings
from ocr.pipeline import ENGINES


def test_cascade_by_default_and_each_engine_selectable() -> None:
    assert load_settings({}).ocr_engine == "cascade"
    for name in ENGINES:
        assert load_settings({"NOMADE_OCR_ENGINE": name}).ocr_engine == name


def test_an_unknown_engine_refuses_to_start() -> None:
    with pytest.raises(msgspec.ValidationError):
        load_settings({"NOMADE_OCR_ENGINE": "easyocr"})
