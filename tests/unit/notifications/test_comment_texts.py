"""The push and inbox texts of a comment, as the other side reads them in their language."""

from __future__ import annotations

from notifications.events import traits_of
from notifications.messages import render

QUESTION = {
    "label": "Frais séminaire",
    "author_name": "Claire Martin",
    "document_kind": "claim",
    "question": True,
    "body": "Pourquoi deux repas\nle 2 ?",
}


def test_a_question_names_the_document_and_who_asks_in_each_language() -> None:
    fr = render("comment_added", QUESTION, "fr")
    en = render("comment_added", QUESTION, "en")
    assert (fr.title, fr.body) == (
        "Question sur votre note de frais (Frais séminaire)",
        "Claire Martin : « Pourquoi deux repas le 2 ? »",
    )
    assert (en.title, en.body) == (
        "Question on your expense claim (Frais séminaire)",
        "Claire Martin: “Pourquoi deux repas le 2 ?”",
    )
    mission = render("comment_added", {**QUESTION, "document_kind": "mission"}, "en")
    assert mission.title.startswith("Question on your mission order")


def test_an_answer_says_who_answers_and_a_long_one_is_cut_on_the_lock_screen() -> None:
    answer = {**QUESTION, "question": False, "author_name": "Paul Durand", "body": "x" * 500}
    fr = render("comment_added", answer, "fr")
    assert fr.title == "Réponse de Paul Durand (Frais séminaire)"
    assert fr.body == f"« {'x' * 179}… »"
    assert (
        render("comment_added", answer, "en").title == "Answer from Paul Durand (Frais séminaire)"
    )


def test_comments_are_heard_at_once_by_default() -> None:
    traits = traits_of("comment_added")
    assert (traits.default_mode, traits.urgency) == ("immediate", "normal")
