"""Password and PIN hashing with argon2id."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

__all__ = ("hash_secret", "verify_secret")

# argon2id with the library's RFC 9106 "low memory" profile: ~50 ms on these machines.
_hasher = PasswordHasher()


def hash_secret(secret: str) -> str:
    """The argon2id hash of a password or PIN."""
    return _hasher.hash(secret)


def verify_secret(stored_hash: str, candidate: str) -> bool:
    """Whether ``candidate`` matches ``stored_hash`` (False for a malformed hash)."""
    if not stored_hash:
        return False
    try:
        return _hasher.verify(stored_hash, candidate)
    except (VerificationError, InvalidHashError):
        return False
