"""The VAPID key pair: generated once, persisted, never silently replaced.

The private key lives in ``settings.vapid_private_key_file`` or, by default,
``<data_dir>/vapid_private_key.pem`` (PKCS#8 PEM, mode 0600). It is created only when the file
does not exist; a file that exists but cannot be read or parsed stops the process with
:class:`VapidKeyError`, because a new key would silently orphan every browser subscription.
See docs/notifications.md for rotation.
"""

from __future__ import annotations

import logging
import os
import tempfile
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from kernel.settings import Settings, get_settings
from notifications.webpush import VapidSigner

__all__ = ("VapidKeyError", "get_signer", "key_path", "load_or_create_key", "reset_signer")

log = logging.getLogger("nomade.push")


class VapidKeyError(RuntimeError):
    """The VAPID key file exists but is unusable: refuse to start rather than replace it."""


def key_path(settings: Settings) -> Path:
    """Where the VAPID private key is kept."""
    return settings.vapid_private_key_file or settings.data_dir / "vapid_private_key.pem"


def _read(path: Path) -> ec.EllipticCurvePrivateKey:
    try:
        pem = path.read_bytes()
    except OSError as exc:
        raise VapidKeyError(
            f"the VAPID key file {path} exists but cannot be read ({exc.strerror}); fix its "
            "permissions or restore it from backup. Nomade will not generate a new key, which "
            "would cut every device off push notifications."
        ) from exc
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as exc:
        raise VapidKeyError(
            f"the VAPID key file {path} is not a valid PEM private key; restore it from backup "
            "(see docs/notifications.md, 'Rotating the VAPID keys')."
        ) from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        raise VapidKeyError(f"the VAPID key in {path} must be a P-256 (prime256v1) EC key")
    return key


def load_or_create_key(settings: Settings) -> ec.EllipticCurvePrivateKey:
    """The persisted key, created (atomically, once) when no file exists yet."""
    path = key_path(settings)
    if path.exists():
        return _read(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    # Written whole under a temporary name, then linked into place: link fails when the name
    # exists, so when several processes start together one key wins, and no process can read
    # the file half-written (an O_EXCL create made it visible empty for a moment).
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=".vapid-", suffix=".tmp")  # mode 0600
    temporary = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            path.hardlink_to(temporary)
        except FileExistsError:
            return _read(path)
    finally:
        temporary.unlink()
    log.warning("generated a new VAPID key pair", extra={"path": str(path)})
    return key


@lru_cache(maxsize=1)
def get_signer() -> VapidSigner:
    """The process's VAPID signer (loads the key on first use; call it at start-up)."""
    settings = get_settings()
    return VapidSigner(load_or_create_key(settings), settings.vapid_subject)


def reset_signer() -> None:
    """Forget the cached signer (tests, key rotation)."""
    get_signer.cache_clear()
