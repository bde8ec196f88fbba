"""Encryption and VAPID tokens, checked by independent decoders (http_ece, the fake's verifier)."""

from __future__ import annotations

import json
import time

import http_ece
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from notifications.webpush import (
    InvalidSubscriptionKeysError,
    VapidSigner,
    audience_of,
    b64url_decode,
    check_subscription_keys,
    encrypt,
)
from tests.pushservice import FakeSubscription, VapidError, verify_vapid


def _browser() -> FakeSubscription:
    import os

    return FakeSubscription(
        "x",
        "https://push.example.net:8443/p/x",
        ec.generate_private_key(ec.SECP256R1()),
        os.urandom(16),
    )


def test_encrypted_body_decrypts_with_the_browser_keys_only() -> None:
    browser = _browser()
    body = encrypt(b'{"hello":"monde"}', b64url_decode(browser.p256dh), browser.auth)
    assert body[16:20] == (4096).to_bytes(4, "big"), "aes128gcm header: record size"
    assert (
        http_ece.decrypt(
            body, private_key=browser.private_key, auth_secret=browser.auth, version="aes128gcm"
        )
        == b'{"hello":"monde"}'
    )
    stranger = _browser()
    with pytest.raises(Exception):  # noqa: B017 - any decryption failure
        http_ece.decrypt(
            body, private_key=stranger.private_key, auth_secret=stranger.auth, version="aes128gcm"
        )


def test_two_encryptions_differ() -> None:
    browser = _browser()
    key = b64url_decode(browser.p256dh)
    assert encrypt(b"same", key, browser.auth) != encrypt(b"same", key, browser.auth)


def test_vapid_header_verifies_with_aud_including_the_port() -> None:
    signer = VapidSigner(ec.generate_private_key(ec.SECP256R1()), "mailto:ops@nomade.example")
    header = signer.authorization("https://push.example.net:8443/p/abc")
    claims, key = verify_vapid(header, "https://push.example.net:8443")
    assert key == signer.public_key
    assert claims["sub"] == "mailto:ops@nomade.example"
    assert time.time() < claims["exp"] <= time.time() + 24 * 3600
    with pytest.raises(VapidError):
        verify_vapid(header, "https://push.example.net")


def test_token_is_cached_per_origin_and_renewed_before_expiry() -> None:
    signer = VapidSigner(ec.generate_private_key(ec.SECP256R1()), "https://nomade.example/contact")
    now = 1_900_000_000.0
    first = signer.authorization("https://a.example/1", now)
    assert signer.authorization("https://a.example/2", now + 3600) == first
    assert signer.authorization("https://b.example/1", now) != first
    renewed = signer.authorization("https://a.example/3", now + 11.5 * 3600)
    assert renewed != first
    token = renewed.split("t=")[1].split(",")[0]
    payload = json.loads(b64url_decode(token.split(".")[1]))
    assert payload["exp"] - (now + 11.5 * 3600) <= 12 * 3600


def test_tampered_token_is_refused() -> None:
    signer = VapidSigner(ec.generate_private_key(ec.SECP256R1()), "mailto:a@b.example")
    header = signer.authorization("https://p.example/x")
    other = VapidSigner(ec.generate_private_key(ec.SECP256R1()), "mailto:a@b.example")
    forged = header.split(", k=")[0] + ", k=" + other.public_key
    with pytest.raises(VapidError, match="signature"):
        verify_vapid(forged, "https://p.example")


def test_subject_must_be_mailto_or_https() -> None:
    with pytest.raises(ValueError):
        VapidSigner(ec.generate_private_key(ec.SECP256R1()), "ops@nomade.example")


def test_audience_is_the_origin() -> None:
    assert audience_of("http://127.0.0.1:5555/push/abc?x=1") == "http://127.0.0.1:5555"
    assert audience_of("https://fcm.googleapis.com/fcm/send/abc") == "https://fcm.googleapis.com"


def test_subscription_keys_are_validated() -> None:
    browser = _browser()
    import base64

    auth = base64.urlsafe_b64encode(browser.auth).decode().rstrip("=")
    check_subscription_keys(browser.p256dh, auth)
    with pytest.raises(InvalidSubscriptionKeysError):
        check_subscription_keys("BAAA" + browser.p256dh[4:], auth)  # not on the curve
    with pytest.raises(InvalidSubscriptionKeysError):
        check_subscription_keys(browser.p256dh, auth[:10])
