"""The analyzer against the labelled sample sessions: every format of every fixture.

The truth files hold hand-counted figures; the per-utterance labels measure the rules.
Tolerances are the issue's acceptance bands (plain text has start times only, so wider)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flowcoach.transcripts.analysis import analyse
from flowcoach.transcripts.language import commitment_label, question_label, telling_label

FIXTURES = Path(__file__).parent / "fixtures" / "transcripts"
SESSIONS = ["T1", "T3", "T5"]
FORMATS = ["zoom.vtt", "teams.vtt", "srt", "txt"]


def truth(session: str) -> dict:
    return json.loads((FIXTURES / f"{session}.truth.json").read_text())


def labelled(session: str) -> dict:
    return json.loads((FIXTURES / f"{session}.json").read_text())


@pytest.fixture(scope="module")
def analyses():
    return {
        (session, fmt): analyse((FIXTURES / f"{session}.{fmt}").read_bytes(), f"x.{fmt}")
        for session in SESSIONS
        for fmt in FORMATS
    }


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("session", SESSIONS)
def test_it_matches_the_true_figures_in_every_format(analyses, session, fmt):
    expected = truth(session)
    result = analyses[(session, fmt)]
    figures = result.figures
    coach, client = expected["coach"], expected["client"]
    plain = fmt == "txt"

    # The coach is found without being told: the one who asks.
    assert result.roles[coach] == "coach" and result.roles[client] == "client"
    share = figures["speakers"][coach]["talk_share"]
    assert abs(share - expected["speakers"][coach]["talk_share"]) <= (0.02 if plain else 0.01)
    assert abs(
        figures["longest_coach_monologue_seconds"] - expected["longest_coach_monologue_seconds"]
    ) <= (3 if plain else 2)
    asked, true_asked = figures["coach_questions"], expected["coach_questions"]
    assert abs(asked["total"] - true_asked["total"]) <= 0.05 * true_asked["total"]
    assert abs(asked["open"] / asked["total"] - true_asked["open"] / true_asked["total"]) <= 0.10
    assert abs(figures["coach_telling_count"] - expected["coach_telling_count"]) <= 3
    assert set(figures["flow_stages_covered"]) == set(expected["flow_stages_covered"])
    assert set(figures["topics_covered"]) == set(expected["topics_covered"])
    assert set(figures["mbd_covered"]) == set(expected["mbd_covered"])
    assert abs(figures["duration_seconds"] - expected["duration_seconds"]) <= (2 if plain else 0.01)


def test_it_finds_the_true_commitments_and_who_made_them(analyses):
    for session in SESSIONS:
        expected = truth(session)["commitments"]
        found = analyses[(session, "zoom.vtt")].figures["commitments"]
        by_speaker = {}
        for commitment in found:
            by_speaker[commitment["speaker"]] = by_speaker.get(commitment["speaker"], 0) + 1
        assert {k: v for k, v in expected["by_speaker"].items() if v} == by_speaker
        assert [c["text"] for c in found] == expected["texts"]


def _counts(pairs):
    hit = sum(1 for predicted, true in pairs if predicted and true)
    predicted = sum(1 for p, _ in pairs if p)
    actual = sum(1 for _, t in pairs if t)
    return hit / max(1, predicted), hit / max(1, actual)


def test_it_labels_utterances_with_the_required_precision_and_recall():
    questions, telling, commitments = [], [], []
    for session in SESSIONS:
        data = labelled(session)
        for utterance in data["utterances"]:
            labels = utterance["labels"]
            question = question_label(utterance["text"])
            questions.append((question.is_question, labels["question"]))
            if utterance["speaker"] == data["coach"]:
                telling.append((telling_label(utterance["text"]).is_telling, labels["telling"]))
            commitments.append(
                (commitment_label(utterance["text"]).is_commitment, labels["commitment"])
            )
    q_precision, q_recall = _counts(questions)
    t_precision, t_recall = _counts(telling)
    c_precision, c_recall = _counts(commitments)
    assert q_precision >= 0.9 and q_recall >= 0.9, (q_precision, q_recall)
    assert t_precision >= 0.7 and t_recall >= 0.7, (t_precision, t_recall)
    assert c_precision >= 0.7 and c_recall >= 0.8, (c_precision, c_recall)


def test_it_marks_open_and_closed_questions_like_the_labels():
    agree = total = 0
    for session in SESSIONS:
        for utterance in labelled(session)["utterances"]:
            question = question_label(utterance["text"])
            if question.is_question and utterance["labels"]["question"]:
                total += 1
                agree += question.kind == utterance["labels"]["question_type"]
    assert agree / total >= 0.9


def test_it_gives_a_reason_for_every_label(analyses):
    for utterance in analyses[("T5", "zoom.vtt")].utterances:
        for name in ("question", "telling", "commitment"):
            if utterance.labels[name]:
                assert utterance.labels["why"][name], (name, utterance.text)
