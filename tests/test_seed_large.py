"""The large practice for speed work: bulk-seeded at a small size here, with every state a
page can show, the counts asked for, and clear refusals."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from flowcoach.accounts.models import Membership, Organisation, Role
from flowcoach.clients.models import Client
from flowcoach.coaching.models import (
    CoachingSession,
    Commitment,
    Engagement,
    SessionNote,
    SessionRecord,
)
from flowcoach.demo import large
from flowcoach.outbox.models import Message

SMALL = ["--coaches", "3", "--clients", "60", "--sessions", "600", "--notes", "3000", "--quiet"]


def seed(*extra: str) -> str:
    out = io.StringIO()
    call_command("seed_large", *SMALL, *extra, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_it_seeds_the_sizes_asked_for_with_every_state(db):
    out = seed()
    organisation = Organisation.objects.get(slug=large.SLUG)
    assert "Large practice ready" in out
    assert Membership.objects.filter(organisation=organisation, role=Role.COACH).count() == 3
    assert Client.objects.filter(organisation=organisation).count() == 60
    sessions = CoachingSession.objects.filter(engagement__organisation=organisation)
    assert sessions.count() == 600
    assert (
        SessionNote.objects.filter(session__engagement__organisation=organisation).count() == 3000
    )
    held = sessions.filter(status=CoachingSession.Status.HELD)
    assert SessionRecord.objects.filter(session__in=held).count() == held.count() > 0

    assert set(
        Engagement.objects.filter(organisation=organisation).values_list("status", flat=True)
    ) == set(Engagement.Status.values)
    assert set(sessions.values_list("status", flat=True)) == set(CoachingSession.Status.values)
    assert set(
        Commitment.objects.filter(client__organisation=organisation).values_list("state", flat=True)
    ) == set(Commitment.State.values)
    assert {"draft", "sent"} <= set(
        Message.objects.filter(organisation=organisation).values_list("state", flat=True)
    )
    # Coaches can sign in with the printed password, and each has clients of their own.
    coach = Membership.objects.filter(organisation=organisation, role=Role.COACH).first().user
    assert coach.check_password(large.PASSWORD)
    assert Client.objects.filter(coach=coach).count() == 20


def test_it_gives_the_same_practice_for_the_same_seed(db):
    seed()
    first = list(SessionNote.objects.order_by("uuid").values_list("uuid", "body")[:50])
    seed("--replace")
    again = list(SessionNote.objects.order_by("uuid").values_list("uuid", "body")[:50])
    assert first == again
    assert Organisation.objects.filter(slug=large.SLUG).count() == 1


def test_it_refuses_a_second_run_and_bad_sizes_without_changing_anything(db):
    seed()
    with pytest.raises(CommandError, match="already here"):
        seed()
    assert Client.objects.filter(organisation__slug=large.SLUG).count() == 60
    for bad in (["--coaches", "0"], ["--notes", "-1"], ["--coaches", "90"]):
        with pytest.raises(CommandError):
            call_command("seed_large", *SMALL, *bad, "--replace", stdout=io.StringIO())
    assert Client.objects.filter(organisation__slug=large.SLUG).count() == 60
