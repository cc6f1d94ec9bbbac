"""Check-in words follow the organisation's keeping time like session notes: once an
engagement has ended longer ago than the setting, the answers, notes, comments and progress
lines go; the weeks, their states and ratings stay. Ongoing coaching keeps everything."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.utils import timezone

from flowcoach.accounts import retention
from flowcoach.checkins import services
from flowcoach.checkins.models import Checkin, CommitmentUpdate, ProgressLog
from flowcoach.coaching.models import Commitment, Engagement
from tests.checkin_helpers import client_commitment, coached, open_week


def _answered(engagement) -> Checkin:
    week = open_week(engagement)
    services.checkin_answer(
        checkin=week,
        more="Words to forget",
        note="A note",
        energy=6,
        identity_rating=7,
        commit_words=["more"],
        commitments=[services.CommitmentAnswer(client_commitment(engagement), "kept", "Done")],
    )
    made = Commitment.objects.get(client=engagement.client, text="Words to forget")
    services.progress_log_add(
        commitment=made, uuid=uuid.uuid4(), day=timezone.now().date(), text="Did it"
    )
    return week


def test_it_removes_the_words_of_check_ins_after_the_engagement_ended_and_keeps_the_figures(world):
    ended = coached(world)
    ongoing = coached(world, client=world.other_client, coach=world.other_coach)
    old, kept = _answered(ended), _answered(ongoing)
    Engagement.objects.filter(pk=ended.pk).update(
        status=Engagement.Status.COMPLETED, ended_at=timezone.now() - timedelta(days=40)
    )
    world.org.retention = {"checkin_answers": 30}
    world.org.save()

    preview = {p.kind.key: p for p in retention.preview(world.org)}
    assert preview["checkin_answers"].due_now == 1
    assert retention.apply(world.org) == {"checkin_answers": 1}
    assert retention.apply(world.org) == {"checkin_answers": 0}

    old.refresh_from_db()
    kept.refresh_from_db()
    assert (old.more, old.note, old.state, old.energy, old.identity_rating) == (
        "",
        "",
        Checkin.State.ANSWERED,
        6,
        7,
    )
    assert kept.more == "Words to forget"
    assert not CommitmentUpdate.objects.filter(checkin=old).exclude(comment="").exists()
    assert CommitmentUpdate.objects.filter(checkin=kept, comment="Done").exists()
    assert ProgressLog.objects.count() == 1


def test_it_gives_the_organisation_figures_the_check_in_response_rate(world):
    from flowcoach.insights.figures import organisation_figures

    engagement = coached(world)
    missed = open_week(engagement, ago=timedelta(days=7, minutes=5))
    answered = open_week(engagement, ago=timedelta(minutes=5))
    services.checkin_answer(checkin=answered, more="Ask early", energy=5)
    open_week(coached(world, client=world.other_client, coach=world.other_coach))

    figures = organisation_figures(world.org, months=3)

    tallies = [
        cell.check_ins for (coach, _), cell in figures.cells.items() if coach == world.coach.pk
    ]
    assert (sum(t.total for t in tallies), sum(t.met for t in tallies)) == (2, 1)
    others = [
        c.check_ins.total for (coach, _), c in figures.cells.items() if coach != world.coach.pk
    ]
    assert sum(others) == 0, "an open week is not counted yet"
    missed.refresh_from_db()
    assert missed.state == Checkin.State.MISSED


def test_it_adds_the_check_ins_to_the_coachs_practice_export_only(world):
    import json

    from django.urls import reverse

    engagement = coached(world)
    week = open_week(engagement)
    services.checkin_answer(checkin=week, more="=Exported words", energy=5)
    response = world.login(world.coach).get(reverse("practice_export_csv", args=["checkins"]))
    text = b"".join(response.streaming_content).decode()
    assert "'=Exported words" in text and "answered" in text
    whole = world.login(world.coach).get(reverse("practice_export_json"))
    data = json.loads(b"".join(whole.streaming_content).decode())
    assert data["checkins"][0]["more"] == "=Exported words"
    other = world.login(world.other_coach).get(reverse("practice_export_json"))
    assert "Exported words" not in b"".join(other.streaming_content).decode()
    assert world.login(world.admin).get(reverse("practice_export_json")).status_code == 403
