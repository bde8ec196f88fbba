"""Notification texts in French and English, written on the server (pure, no I/O).

``render`` turns an event's data into a title and body in one language. With ``hide_amounts``
(the lock-screen privacy option) money never appears; the in-app inbox keeps the full text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from notifications.events import EventData

__all__ = ("INVOICE_STATUS_LABELS", "Language", "Text", "action_titles", "format_cents", "render")

Language = Literal["fr", "en"]


@dataclass(frozen=True)
class Text:
    title: str
    body: str


# Chorus Pro status codes (facture fournisseur) as suppliers read them.
INVOICE_STATUS_LABELS: dict[str, tuple[str, str]] = {
    "DEPOSEE": ("déposée", "submitted"),
    "EN_COURS_ACHEMINEMENT": ("en cours d'acheminement", "being routed"),
    "MISE_A_DISPOSITION": ("mise à disposition", "delivered to the buyer"),
    "PRISE_EN_COMPTE_DESTINATAIRE": ("prise en compte", "taken into account"),
    "SUSPENDUE": ("suspendue — à compléter", "suspended — action needed"),
    "COMPLETEE": ("complétée", "completed"),
    "A_RECYCLER": ("à recycler — à réacheminer", "to be re-routed"),
    "REJETEE": ("rejetée", "rejected"),
    "SERVICE_FAIT": ("service fait constaté", "service done certified"),
    "SERVICE_FAIT_PARTIEL": ("service fait partiel", "service partly done"),
    "MANDATEE": ("mandatée", "payment ordered"),
    "MISE_A_DISPOSITION_COMPTABLE": ("transmise au comptable", "sent to the accountant"),
    "COMPTABILISEE": ("comptabilisée", "booked"),
    "MISE_EN_PAIEMENT": ("mise en paiement", "payment released"),
    "PAIEMENT_PARTIEL": ("paiement partiel", "partial payment"),
    "SERVICE_FAIT_ANNULE": ("service fait annulé par l'acheteur",
                            "service done withdrawn by the buyer"),
}

_DECISIONS = {
    "approved": ("approuvé", "approved"),
    "refused": ("refusé", "refused"),
    "returned": ("renvoyé pour modification", "returned for changes"),
}


def format_cents(cents: int, lang: Language) -> str:
    """Integer cents as a price a person reads: ``1 234,50 €`` or ``€1,234.50``."""
    sign = "-" if cents < 0 else ""
    euros, rest = divmod(abs(int(cents)), 100)
    if lang == "fr":
        grouped = f"{euros:,}".replace(",", "\u202f")
        return f"{sign}{grouped},{rest:02d}\u00a0€"
    return f"{sign}€{euros:,}.{rest:02d}"


def _pick(lang: Language, fr: str, en: str) -> str:
    return fr if lang == "fr" else en


def _sentence(text: str) -> str:
    """``text`` ending as a sentence, so the next one does not run into it (a reason typed in
    the financial system or by a manager often has no final stop)."""
    text = text.strip()
    return text if not text or text[-1] in ".!?…»”\"" else f"{text}."


_Cents = Literal["amount_cents", "certified_cents", "paid_cents", "amount_paid_cents"]


def _amount(data: EventData, lang: Language, hide: bool, key: _Cents = "amount_cents") -> str:
    value = data.get(key)
    if hide or not isinstance(value, int):
        return ""
    return format_cents(value, lang)


def _deadline(data: EventData, lang: Language) -> str:
    raw = data.get("deadline")
    if not isinstance(raw, str):
        return ""
    try:
        zone = ZoneInfo(str(data.get("timezone") or "Europe/Paris"))
        when = datetime.fromisoformat(raw).astimezone(zone)
    except ValueError:
        return ""
    return when.strftime("%d/%m %H:%M") if lang == "fr" else when.strftime("%d %b %H:%M")


def _invoice(data: EventData, lang: Language, hide: bool) -> Text:
    number = str(data.get("invoice_number", "")) or "?"
    status = str(data.get("status", ""))
    fr, en = INVOICE_STATUS_LABELS.get(
        status, (status.lower() or "mise à jour", status.lower() or "updated")
    )
    title = _pick(lang, f"Facture {number} : {fr}", f"Invoice {number}: {en}")
    parts = []
    amount = _amount(data, lang, hide)
    if amount:
        parts.append(_pick(lang, f"Montant : {amount}.", f"Amount: {amount}."))
    certified = _amount(data, lang, hide, "certified_cents")
    if certified and status == "SERVICE_FAIT_PARTIEL":
        parts.append(_pick(lang, f"Certifié : {certified} HT.",
                           f"Certified: {certified} before VAT."))
    reason = str(data.get("reason") or "")
    if reason:
        parts.append(_sentence(_pick(lang, f"Motif : {reason}", f"Reason: {reason}")))
    paid = _amount(data, lang, hide, "paid_cents")
    if paid:
        total = _amount(data, lang, hide, "amount_paid_cents")
        parts.append(_pick(lang, f"Payé : {paid} (total payé : {total}).",
                           f"Paid: {paid} (total paid: {total})."))
    reference = str(data.get("bank_reference") or "")
    if reference:
        parts.append(_pick(lang, f"Référence : {reference}.", f"Reference: {reference}."))
    if status in {"SUSPENDUE", "A_RECYCLER", "REJETEE"}:
        parts.append(_pick(lang, "Action requise.", "Action needed."))
    return Text(title, " ".join(parts) or _pick(lang, "Nouveau statut.", "New status."))


def _label(data: EventData, lang: Language) -> str:
    return str(data.get("label") or _pick(lang, "Votre demande", "Your request"))


def _approval(data: EventData, lang: Language, hide: bool) -> Text:
    who = str(data.get("requester_name", ""))
    label = str(data.get("label") or _pick(lang, "une demande", "a request"))
    title = _pick(lang, f"À valider : {label}", f"To approve: {label}")
    parts = [_pick(lang, f"Demande de {who}.", f"Request from {who}.")] if who else []
    amount = _amount(data, lang, hide)
    if amount:
        parts.append(_pick(lang, f"Montant : {amount}.", f"Amount: {amount}."))
    deadline = _deadline(data, lang)
    if deadline:
        parts.append(
            _pick(
                lang,
                f"Réservation à confirmer avant le {deadline}.",
                f"Booking must be confirmed by {deadline}.",
            )
        )
    return Text(title, " ".join(parts) or _pick(lang, "Décision attendue.", "Decision needed."))


def _reminder(data: EventData, lang: Language, hide: bool) -> Text:
    label = str(data.get("label") or _pick(lang, "une demande", "a request"))
    who = str(data.get("requester_name", ""))
    deadline = _deadline(data, lang)
    title = _pick(lang, f"Rappel, à valider : {label}", f"Reminder, to approve: {label}")
    parts = [_pick(lang, f"Demande de {who}.", f"Request from {who}.")] if who else []
    if deadline:
        parts.append(_pick(lang, f"Décision attendue avant le {deadline}.",
                           f"Decision needed by {deadline}."))
    return Text(title, " ".join(parts) or _pick(lang, "Décision attendue.", "Decision needed."))


def _escalated(data: EventData, lang: Language, hide: bool) -> Text:
    label = str(data.get("label") or _pick(lang, "une demande", "a request"))
    who = str(data.get("requester_name", ""))
    title = _pick(lang, f"Transmise pour décision : {label}", f"Passed up to you: {label}")
    parts = [_pick(lang, f"Demande de {who}, délai dépassé au niveau inférieur.",
                   f"Request from {who}; its deadline passed one level below.")] if who else [
        _pick(lang, "Délai dépassé au niveau inférieur.", "Its deadline passed one level below.")]
    amount = _amount(data, lang, hide)
    if amount:
        parts.append(_pick(lang, f"Montant : {amount}.", f"Amount: {amount}."))
    return Text(title, " ".join(parts))


def _escalated_away(data: EventData, lang: Language, hide: bool) -> Text:
    label = str(data.get("label") or _pick(lang, "une demande", "a request"))
    to = str(data.get("escalated_to", ""))
    title = _pick(lang, f"Délai dépassé : {label}", f"Deadline passed: {label}")
    body = (_pick(lang, f"La décision est transmise à {to}.", f"The decision went to {to}.")
            if to else _pick(lang, "La décision est transmise au niveau supérieur.",
                             "The decision went one level up."))
    return Text(title, body)


def _decision(data: EventData, lang: Language, hide: bool) -> Text:
    label = _label(data, lang)
    fr, en = _DECISIONS.get(str(data.get("decision", "")), ("décidé", "decided"))
    title = _pick(lang, f"{label} : {fr}", f"{label}: {en}")
    parts = []
    by = str(data.get("decided_by", ""))
    if by:
        parts.append(_pick(lang, f"Par {by}.", f"By {by}."))
    comment = str(data.get("comment") or "")
    if comment:
        parts.append(f"« {comment} »" if lang == "fr" else f"“{comment}”")
    return Text(title, " ".join(parts) or _pick(lang, "Décision rendue.", "Decision made."))


def _closed(data: EventData, lang: Language, hide: bool) -> Text:
    """An approval request that no longer asks anything (decided by someone else, withdrawn)."""
    label = _label(data, lang)
    by = str(data.get("decided_by", ""))
    outcome = str(data.get("decision", ""))
    if outcome in _DECISIONS:
        fr, en = _DECISIONS[outcome]
        title = _pick(lang, f"{label} : {fr}" + (f" par {by}" if by else ""),
                      f"{label}: {en}" + (f" by {by}" if by else ""))
    else:
        title = _pick(lang, f"{label} : retiré par l’agent", f"{label}: withdrawn by the agent")
    return Text(title, _pick(lang, "Plus rien à décider.", "Nothing left to decide."))


def _ocr_finished(data: EventData, lang: Language, hide: bool) -> Text:
    merchant = str(data.get("merchant") or _pick(lang, "Justificatif", "Receipt"))
    amount = _amount(data, lang, hide)
    body = _pick(lang, "Justificatif lu", "Receipt read")
    if amount:
        body += _pick(lang, f" : {amount}", f": {amount}")
    body += "."
    return Text(_pick(lang, f"{merchant} : lecture terminée", f"{merchant}: reading done"), body)


def _ocr_review(data: EventData, lang: Language, hide: bool) -> Text:
    merchant = str(data.get("merchant") or _pick(lang, "Justificatif", "Receipt"))
    # The reading's first reason (which check failed), in words, when the job gave one.
    reason = str((data.get("review_fr") if lang == "fr" else data.get("review_en")) or "")
    return Text(
        _pick(lang, f"{merchant} : à vérifier", f"{merchant}: please check"),
        reason or _pick(
            lang,
            "Certains champs n'ont pas pu être lus avec certitude.",
            "Some fields could not be read with confidence.",
        ),
    )


def _service_done(data: EventData, lang: Language, hide: bool) -> Text:
    # The commitment number (EJ) is the one the phone's order list shows; the BC number else.
    order = (str(data.get("ej_number", "")) or str(data.get("order_number", ""))
             or _pick(lang, "commande", "order"))
    supplier = str(data.get("supplier_name", ""))
    amount = _amount(data, lang, hide)
    title = _pick(lang, f"Service fait à constater : {order}", f"Service done to certify: {order}")
    body = (
        _pick(lang, f"Facture de {supplier} reçue", f"Invoice from {supplier} received")
        if supplier
        else _pick(lang, "Facture reçue", "Invoice received")
    )
    if amount:
        body += f" ({amount})"
    return Text(title, body + _pick(lang, ". Proposition préremplie.", ". Proposal prefilled."))


def _payment(data: EventData, lang: Language, hide: bool) -> Text:
    label = str(data.get("label", ""))
    amount = _amount(data, lang, hide)
    title = _pick(lang, "Paiement envoyé", "Payment sent")
    if label and amount:
        body = label + _pick(lang, f" : {amount}", f": {amount}")
    else:
        body = label or amount
    return Text(
        title, body or _pick(lang, "Votre paiement est parti.", "Your payment is on its way.")
    )


_KINDS = {"mission": ("votre ordre de mission", "your mission order"),
          "claim": ("votre note de frais", "your expense claim")}
_EXCERPT = 180


def _comment(data: EventData, lang: Language, hide: bool) -> Text:
    who = str(data.get("author_name") or _pick(lang, "Quelqu'un", "Someone"))
    label = str(data.get("label") or "")
    if data.get("question"):
        fr, en = _KINDS.get(str(data.get("document_kind", "")), ("votre demande", "your request"))
        title = _pick(lang, f"Question sur {fr}", f"Question on {en}")
    else:
        title = _pick(lang, f"Réponse de {who}", f"Answer from {who}")
    text = " ".join(str(data.get("body") or "").split())
    if len(text) > _EXCERPT:
        text = text[: _EXCERPT - 1].rstrip() + "…"
    quoted = f"« {text} »" if lang == "fr" else f"“{text}”"
    head = (f"{who} : " if lang == "fr" else f"{who}: ") if data.get("question") else ""
    about = f" ({label})" if label else ""
    return Text(title + about, head + quoted)


def _test(data: EventData, lang: Language, hide: bool) -> Text:
    return Text(
        _pick(lang, "Notification de test", "Test notification"),
        _pick(
            lang,
            "Les notifications fonctionnent sur cet appareil.",
            "Notifications work on this device.",
        ),
    )


def _digest(data: EventData, lang: Language, hide: bool) -> Text:
    count = int(data.get("count", 0))
    titles = [str(t) for t in data.get("titles", [])][:3]
    # One summary folds the daily digest and, on Mondays, the weekly one: no "today" here.
    title = _pick(
        lang,
        f"Résumé : {count} notification{'s' if count > 1 else ''}",
        f"Summary: {count} notification{'s' if count > 1 else ''}",
    )
    return Text(title, " · ".join(titles))


_RENDERERS = {
    "invoice_status_changed": _invoice,
    "approval_requested": _approval,
    "approval_reminder": _reminder,
    "approval_escalated": _escalated,
    "approval_escalated_away": _escalated_away,
    "decision_made": _decision,
    "ocr_finished": _ocr_finished,
    "ocr_needs_review": _ocr_review,
    "service_done_proposal": _service_done,
    "payment_sent": _payment,
    "comment_added": _comment,
    "approval_closed": _closed,
    "test": _test,
    "digest": _digest,
}


def render(event_type: str, data: EventData, lang: str, *, hide_amounts: bool = False) -> Text:
    """The title and body of ``event_type`` in ``lang`` (French unless ``en``)."""
    language: Language = "en" if lang == "en" else "fr"
    return _RENDERERS[event_type](data, language, hide_amounts)


def action_titles(lang: str) -> dict[str, str]:
    """Button labels of an approval request."""
    if lang == "en":
        return {"approve": "Approve", "refuse": "Refuse"}
    return {"approve": "Approuver", "refuse": "Refuser"}
