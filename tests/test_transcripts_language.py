"""The labelling rules on sentences that are not in the fixtures: they follow how people
speak, so a new coach's words are labelled the same way."""

from __future__ import annotations

import pytest

from flowcoach.transcripts.language import commitment_label, question_label, telling_label

QUESTIONS = [
    ("What would you like to focus on today?", "open"),
    ("Could you walk me through what happened?", "open"),
    ("Do you want to tell me more about that?", "open"),
    ("Tell me about the last deal you lost.", "open"),
    ("And then?", "open"),
    ("Did that work?", "closed"),
    ("Is it the price or the timing?", "closed"),
    ("On a scale of one to ten, how ready are you?", "closed"),
    ("You said Thursday?", "closed"),
]
NOT_QUESTIONS = [
    "Something like: what's stopping you from signing today? That works well.",
    "Then she says, are you sure about that? And I froze.",
    "That's the plan, isn't it? Stick to it and you'll be fine.",
    "Did they call back? No. So you ring them.",
    "How long have you got? It's a long story.",
]
TELLING = [
    "You should ring him before Friday.",
    "Next time, just ask for the order.",
    "Don't send the proposal by email.",
    "If I were in your shoes I'd call the finance director.",
    "When I was selling copiers, I never gave a discount on the first call.",
    "My suggestion is to book the demo for Monday.",
    "Why don't you ring him tomorrow?",
]
NOT_TELLING = [
    "Take your time.",
    "Let's look at what happened on Thursday.",
    "Tell me what you noticed.",
    "That sounds like it mattered to you.",
    "What would you do differently?",
]
COMMITMENTS = [
    "I'm going to call her on Monday.",
    "Next week I'll book two demos with new prospects.",
    "I'll send you the plan by Tuesday evening.",
    "I commit to five calls every morning.",
]
NOT_COMMITMENTS = [
    "I'll be honest, it was a rough week.",
    "I'll always remember that call.",
    "Then I'll know what they really think.",
    "I'm going to ask you about your stories now.",
]


@pytest.mark.parametrize(("text", "kind"), QUESTIONS)
def test_it_recognises_questions_and_their_kind(text, kind):
    label = question_label(text)
    assert label.is_question and label.kind == kind


@pytest.mark.parametrize("text", NOT_QUESTIONS)
def test_it_leaves_out_quoted_tagged_and_self_answered_questions(text):
    assert not question_label(text).is_question


@pytest.mark.parametrize("text", TELLING)
def test_it_recognises_telling(text):
    label = telling_label(text)
    assert label.is_telling and label.why


@pytest.mark.parametrize("text", NOT_TELLING)
def test_it_does_not_call_an_invitation_telling(text):
    assert not telling_label(text).is_telling


@pytest.mark.parametrize("text", COMMITMENTS)
def test_it_hears_commitments(text):
    assert commitment_label(text).is_commitment


@pytest.mark.parametrize("text", NOT_COMMITMENTS)
def test_it_does_not_hear_a_commitment_in_other_future_talk(text):
    assert not commitment_label(text).is_commitment
