"""The VAPID key pair is made once, kept, served publicly, and never silently replaced."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from kernel.settings import load_settings
from notifications import vapid
from notifications.vapid import VapidKeyError, get_signer, key_path, load_or_create_key
from notifications.webpush import public_key_b64


def _settings(tmp_path: Path, **extra: str):  # type: ignore[no-untyped-def]
    return load_settings({"NOMADE_DATA_DIR": str(tmp_path), **extra})


def test_key_is_generated_once_then_reused(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    first = public_key_b64(load_or_create_key(settings))
    path = key_path(settings)
    assert path == tmp_path / "vapid_private_key.pem"
    assert path.stat().st_mode & 0o777 == 0o600
    assert public_key_b64(load_or_create_key(settings)) == first


def test_a_process_starting_while_another_writes_the_key_gets_that_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """App processes and workers of a new deployment start at once on an empty data dir. A
    second process arriving while the first is writing the key file (here: at the moment the
    first opens its file for writing) must not read a half-written file, and both must end
    with the same key."""
    settings = _settings(tmp_path)
    real_fdopen = os.fdopen
    second: list[str] = []

    def fdopen_then_another_process_starts(fd: int, *args: Any, **kwargs: Any) -> Any:
        handle = real_fdopen(fd, *args, **kwargs)
        if not second:
            second.append("starting")
            second[0] = public_key_b64(load_or_create_key(settings))
        return handle

    monkeypatch.setattr(vapid.os, "fdopen", fdopen_then_another_process_starts)
    first = public_key_b64(load_or_create_key(settings))
    assert second == [first]
    assert [p.name for p in tmp_path.iterdir()] == ["vapid_private_key.pem"]


def test_explicit_key_file_is_used(tmp_path: Path) -> None:
    target = tmp_path / "keys" / "vapid.pem"
    settings = _settings(tmp_path, NOMADE_VAPID_PRIVATE_KEY_FILE=str(target))
    key = public_key_b64(load_or_create_key(settings))
    assert target.exists() and public_key_b64(load_or_create_key(settings)) == key


def test_corrupt_key_file_refuses_to_start_and_is_left_alone(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    path = key_path(settings)
    path.write_bytes(b"-----BEGIN PRIVATE KEY-----\ngarbage\n")
    with pytest.raises(VapidKeyError, match="not a valid PEM"):
        load_or_create_key(settings)
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----\ngarbage")


def test_unreadable_key_file_refuses_to_start(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    path = key_path(settings)
    path.mkdir()  # exists, cannot be read as a file
    with pytest.raises(VapidKeyError, match="cannot be read"):
        load_or_create_key(settings)


async def test_public_key_endpoint_is_public_and_stable(client, data_dir: Path) -> None:
    first = await client.get("/api/v1/push/vapid-public-key")
    assert first.status_code == 200
    key = first.json()["public_key"]
    assert key == get_signer().public_key and len(key) == 87
    assert (data_dir / "vapid_private_key.pem").exists()
    again = await client.get("/api/v1/push/vapid-public-key")
    assert again.json()["public_key"] == key
