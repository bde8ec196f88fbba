"""Payload shape and size, Topic rules, texts, and what each push-service answer leads to."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from notifications import events, messages, outcomes, payload

NOW = datetime(2031, 1, 1, 12, tzinfo=UTC)


def _notice(body: str = "Corps", title: str = "Titre", **extra: object) -> payload.Notice:
    return payload.Notice(
        title=title, body=body, navigate="/invoices/1", lang="fr", tag="invoice:1", **extra
    )  # type: ignore[arg-type]


def test_declarative_shape() -> None:
    message = json.loads(
        payload.build(
            _notice(
                badge_count=3,
                actions=(payload.Action("approve", "Approuver", "/m/1?decision=approve"),),
            )
        )
    )
    assert message["web_push"] == 8030 and message["app_badge"] == 3
    note = message["notification"]
    assert {"title", "body", "navigate", "lang", "tag", "badge"} <= set(note)
    assert note["actions"][0] == {
        "action": "approve",
        "title": "Approuver",
        "navigate": "/m/1?decision=approve",
    }


@given(st.text(min_size=0, max_size=20_000), st.text(min_size=0, max_size=3_000))
def test_payload_never_exceeds_the_plaintext_limit(body: str, title: str) -> None:
    data = payload.NoticeData(type="test", inbox_id="y" * 100)
    encoded = payload.build(_notice(body=body, title=title, data=data))
    assert len(encoded) <= payload.MAX_PLAINTEXT
    assert json.loads(encoded)["notification"]["navigate"] == "/invoices/1"


def test_limit_accounts_for_aes128gcm_overhead() -> None:
    assert payload.MAX_PLAINTEXT == 4096 - 86 - 16 - 1


def test_shorten_drops_extras_before_text() -> None:
    data = payload.NoticeData(type="test", inbox_id="v" * 500)
    full = payload.build(_notice(body="b" * 300, data=data))
    short = payload.shorten(full, len(full) - 100)
    note = json.loads(short)["notification"]
    assert "data" not in note and note["body"] == "b" * 300


def test_topic_is_short_urlsafe_and_stable() -> None:
    uid = "0f8fad5b-d9cb-469f-a165-70867728950e"
    assert payload.topic_for("invoice", uid) == "0f8fad5bd9cb469fa16570867728950e"
    other = payload.topic_for("invoice", "FAC/2031/0001 très long identifiant")
    assert len(other) <= 32 and set(other) <= set(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    )
    assert other == payload.topic_for("invoice", "FAC/2031/0001 très long identifiant")
    assert other != payload.topic_for("mission", "FAC/2031/0001 très long identifiant")


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (201, "sent"),
        (202, "sent"),
        (404, "gone"),
        (410, "gone"),
        (413, "shorten"),
        (400, "alert"),
        (401, "alert"),
        (403, "alert"),
        (429, "retry"),
        (500, "retry"),
        (503, "retry"),
        (None, "retry"),
    ],
)
def test_each_answer_has_its_outcome(status: int | None, kind: str) -> None:
    assert outcomes.classify(status, None, 1, NOW).kind == kind


def test_retry_after_seconds_and_date_are_honoured() -> None:
    assert outcomes.classify(429, "30", 1, NOW).retry_at == NOW + timedelta(seconds=30)
    date = "Wed, 01 Jan 2031 12:10:00 GMT"
    assert outcomes.classify(503, date, 1, NOW).retry_at == NOW + timedelta(minutes=10)
    assert outcomes.parse_retry_after("soon", NOW) is None


def test_backoff_grows_and_is_capped() -> None:
    rng = random.Random(1)
    waits = [(outcomes.backoff(n, NOW, rng) - NOW).total_seconds() for n in range(1, 12)]
    assert waits[0] <= 5 and waits[4] > waits[0] and max(waits) <= 3600


def test_give_up_after_max_attempts() -> None:
    assert outcomes.classify(500, None, outcomes.MAX_ATTEMPTS, NOW).kind == "failed"


def test_texts_in_both_languages_and_amounts_hidden() -> None:
    data = {"invoice_number": "F1", "status": "SUSPENDUE", "amount_cents": 123456}
    fr = messages.render("invoice_status_changed", data, "fr")
    en = messages.render("invoice_status_changed", data, "en")
    assert fr.title == "Facture F1 : suspendue — à compléter" and "1\u202f234,56\u00a0€" in fr.body
    assert en.title == "Invoice F1: suspended — action needed" and "€1,234.56" in en.body
    hidden = messages.render("invoice_status_changed", data, "fr", hide_amounts=True)
    assert "€" not in hidden.body and "Action requise" in hidden.body


@pytest.mark.parametrize(
    ("lang", "reason", "body"),
    [
        ("fr", "RIB manquant", "Motif : RIB manquant. Action requise."),
        ("en", "RIB manquant", "Reason: RIB manquant. Action needed."),
        ("fr", "Bon de commande absent !", "Motif : Bon de commande absent ! Action requise."),
        ("en", "PO number missing.  ", "Reason: PO number missing. Action needed."),
    ],
)
def test_a_reason_without_a_stop_does_not_run_into_the_next_sentence(
    lang: str, reason: str, body: str
) -> None:
    data = {"invoice_number": "F1", "status": "SUSPENDUE", "reason": reason}
    assert messages.render("invoice_status_changed", data, lang).body == body


def test_format_cents_never_uses_floats() -> None:
    assert messages.format_cents(5, "fr") == "0,05\u00a0€"
    assert messages.format_cents(-199, "en") == "-€1.99"


def test_every_event_type_renders() -> None:
    from notifications.events import EVENT_TYPES

    for event_type in EVENT_TYPES:
        for lang in ("fr", "en"):
            text = messages.render(event_type, {}, lang)
            assert text.title and text.body, (event_type, lang)


def test_payload_carries_the_flat_copy_the_app_service_worker_reads() -> None:
    import json

    from notifications import payload

    body = json.loads(payload.build(payload.Notice(
        title="À valider : Audit", body="Demande de A.", navigate="/missions/1", lang="fr",
        tag="mission:1", decision={"entity": "mission", "id": "1", "lang": "fr",
                                   "expected_state": "submitted", "content_hash": "abc"})))
    assert body["title"] == body["notification"]["title"] and body["url"] == "/missions/1"
    assert body["decision"]["entity"] == "mission" and body["decision"]["content_hash"] == "abc"
    short = json.loads(payload.shorten(json.dumps(body).encode(), 320))
    assert "decision" not in short and short["notification"]["navigate"] == "/missions/1"


def test_a_request_settled_elsewhere_replaces_its_notification_silently() -> None:
    import json

    from notifications import payload
    from notifications.events import traits_of

    text = messages.render("approval_closed", {"label": "Audit", "decision": "approved",
                                               "decided_by": "Marie Curie"}, "fr")
    assert (text.title, text.body) == ("Audit : approuvé par Marie Curie", "Plus rien à décider.")
    withdrawn = messages.render("approval_closed", {"label": "Audit"}, "en")
    assert withdrawn.title == "Audit: withdrawn by the agent"
    assert traits_of("approval_closed").settles_requests
    assert not traits_of("approval_closed").user_can_disable  # a stale Approve must not stay
    body = json.loads(payload.build(payload.Notice(
        title=text.title, body=text.body, navigate="/approvals/mission/1", lang="fr",
        tag="mission:1", silent=True)))
    assert body["silent"] is True and body["notification"]["silent"] is True
    assert body["tag"] == "mission:1" and "actions" not in body["notification"]


def test_payload_bytes_are_what_the_service_worker_reads() -> None:
    """The members and their order, as written before the payload was typed (the service
    worker, pwa/src/sw/notifications.ts, and declarative browsers read these bytes)."""
    document = payload.DocumentLink("mission", "m1", "/approvals/mission/m1")
    args: events.DecisionArgs = {"id": "m1", "decision": "approve",
                                 "expected_state": "submitted", "content_hash": "h"}
    request = payload.Notice(
        title="À valider : Lyon", body="Demande de Camille.", navigate=document.url, lang="fr",
        tag="mission:m1", badge_count=2, require_interaction=True,
        actions=(payload.Action("approve", "Approuver", f"{document.url}?decision=approve"),),
        data=payload.NoticeData(type="approval_requested", inbox_id="i1", document=document,
                                intents={"approve": {"name": "mission.decide", "args": args}}),
        decision=payload.Decision("mission", "m1", "fr", "submitted", "h"),
    )
    assert payload.build(request).decode() == (
        '{"web_push":8030,"notification":{"title":"À valider : Lyon","body":"Demande de '
        'Camille.","navigate":"/approvals/mission/m1","lang":"fr","dir":"ltr","tag":"mission:m1",'
        '"badge":"/icons/badge-96.png","icon":"/icons/icon-192.png","require_interaction":true,'
        '"actions":[{"action":"approve","title":"Approuver","navigate":"/approvals/mission/m1?'
        'decision=approve"}],"data":{"type":"approval_requested","inbox_id":"i1","document":'
        '{"kind":"mission","id":"m1","url":"/approvals/mission/m1"},"intents":{"approve":'
        '{"name":"mission.decide","args":{"id":"m1","decision":"approve","expected_state":'
        '"submitted","content_hash":"h"}}}}},"mutable":true,"app_badge":2,"title":"À valider : '
        'Lyon","body":"Demande de Camille.","url":"/approvals/mission/m1","tag":"mission:m1",'
        '"decision":{"entity":"mission","id":"m1","lang":"fr","expected_state":"submitted",'
        '"content_hash":"h"}}'
    )
    digest = payload.Notice(title="Résumé", body="", navigate="/inbox", lang="en", tag="digest",
                            data=payload.NoticeData(type="digest", count=2), silent=True)
    assert payload.build(digest).decode() == (
        '{"web_push":8030,"notification":{"title":"Résumé","body":"","navigate":"/inbox",'
        '"lang":"en","dir":"ltr","tag":"digest","badge":"/icons/badge-96.png","icon":'
        '"/icons/icon-192.png","silent":true,"data":{"type":"digest","count":2}},"mutable":true,'
        '"title":"Résumé","body":"","url":"/inbox","tag":"digest","silent":true}'
    )
