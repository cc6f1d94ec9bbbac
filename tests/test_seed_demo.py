"""The demo practice: complete profiles, both visibility states, a downloadable sample report,
and a second run that changes nothing."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from flowcoach.accounts.models import User
from flowcoach.clients.models import (
    AchievementStory,
    Client,
    MotivationProfile,
    ProfileAttachment,
    RankedTheme,
    Visibility,
)
from flowcoach.demo import data as demo_data


@pytest.fixture(autouse=True)
def _private_storage(private_storage):
    return private_storage


def table_counts():
    return [
        model.objects.count()
        for model in (Client, MotivationProfile, RankedTheme, AchievementStory, ProfileAttachment)
    ]


def test_it_gives_every_demo_client_a_complete_profile(db):
    call_command("seed_demo", stdout=io.StringIO())
    profiles = MotivationProfile.objects.all()
    assert profiles.count() == len(demo_data.CLIENTS)
    for profile in profiles:
        assert profile.catalog and profile.assessment_date
        assert profile.ranked_themes.count() >= 3
        assert profile.stories.count() >= 3
        for name in MotivationProfile.TEXT_FIELDS:
            assert getattr(profile, name), f"{profile}: {name} is empty"


def test_it_shows_both_visibility_states(db):
    call_command("seed_demo", stdout=io.StringIO())
    profile = MotivationProfile.objects.first()
    states = {getattr(profile, f"{n}_visibility") for n in MotivationProfile.TEXT_FIELDS}
    assert states == {Visibility.SHARED, Visibility.COACH_ONLY}
    story_states = set(AchievementStory.objects.values_list("visibility", flat=True))
    assert story_states == {Visibility.SHARED, Visibility.COACH_ONLY}


def test_it_ships_a_real_sample_report_the_client_can_download(db, client):
    call_command("seed_demo", stdout=io.StringIO())
    attachment = ProfileAttachment.objects.get()
    assert attachment.visibility == Visibility.SHARED
    with attachment.file.open("rb") as handle:
        content = handle.read()
    assert content.startswith(b"%PDF-1.4") and content.rstrip().endswith(b"%%EOF")
    # The cross-reference offset points at the xref table, as a PDF reader expects.
    startxref = int(content.rsplit(b"startxref", 1)[1].split()[0])
    assert content[startxref:].startswith(b"xref")
    client.force_login(User.objects.get(email=demo_data.SAMPLE_ATTACHMENT["client_email"]))
    response = client.get(reverse("attachment_download", args=[attachment.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content


def test_it_changes_nothing_on_a_second_run(db):
    call_command("seed_demo", stdout=io.StringIO())
    before = table_counts()
    call_command("seed_demo", stdout=io.StringIO())
    assert table_counts() == before


def test_it_shows_programs_at_several_stages_with_a_session_today(db):
    from django.utils import timezone

    from flowcoach.coaching.models import CoachingSession, Engagement
    from flowcoach.coaching.selectors import clients_to_schedule
    from flowcoach.outbox.models import Message

    call_command("seed_demo", stdout=io.StringIO())
    assert set(Engagement.objects.values_list("status", flat=True)) == {
        "active",
        "completed",
        "stopped",
    }
    states = set(CoachingSession.objects.values_list("status", flat=True))
    assert {"held", "scheduled", "unscheduled"} <= states
    marcus = Client.objects.get(email="marcus@example.org")
    today = CoachingSession.objects.get(
        engagement__client=marcus,
        status="scheduled",
        engagement__program__slug="best-seller",
        code="S3",
    )
    assert (today.starts_at - timezone.now()).total_seconds() < 26 * 3600
    nadia_s1 = CoachingSession.objects.get(
        engagement__client__email="nadia@example.org",
        engagement__program__slug="best-seller",
        code="S1",
    )
    assert nadia_s1.status == "scheduled"
    assert (nadia_s1.starts_at - timezone.now()).total_seconds() < 26 * 3600
    dana = marcus.coach
    assert "Lena Fischer" in [e.client.full_name for e in clients_to_schedule(coach=dana)]
    assert Message.objects.filter(state="draft", kind="preparation").exists()
    assert Message.objects.filter(state__in=["approved", "queued"], kind="invitation").count() == 1
    # Every state a coach meets in the outbox.
    assert {"draft", "sent", "failed", "cancelled", "interrupted"} <= set(
        Message.objects.values_list("state", flat=True)
    )
    assert Message.objects.get(state="failed").last_error.startswith("550")

    counts = (Engagement.objects.count(), CoachingSession.objects.count(), Message.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert counts == (
        Engagement.objects.count(),
        CoachingSession.objects.count(),
        Message.objects.count(),
    )


def runner_counts():
    from flowcoach.coaching.models import Commitment, PurposeStatement, SessionNote, SessionRecord

    return [
        model.objects.count()
        for model in (SessionNote, Commitment, PurposeStatement, SessionRecord)
    ] + [sorted(SessionNote.objects.values_list("uuid", "version", "body"))]


def test_it_gives_held_sessions_what_the_runner_recorded(db):
    from flowcoach.coaching.models import (
        CoachingSession,
        Commitment,
        PurposeStatement,
        SessionNote,
        SessionRecord,
    )

    call_command("seed_demo", stdout=io.StringIO())
    held = CoachingSession.objects.filter(status="held")
    assert held.exists()
    for session in held:
        notes = list(session.notes.all())
        assert len(notes) >= 3
        assert {n.visibility for n in notes} == {"shared_with_client", "coach_only"}
        assert all(n.flow_stage for n in notes)
        assert {n.marker for n in notes} >= {"energy", "aha"}
        assert all(n.created_at >= session.starts_at for n in notes)
        assert session.commitments.exists()
        record = SessionRecord.objects.get(session=session)
        assert record.completed_at and record.timing and record.challenge and record.coach_summary
        assert all(o["mark"] for o in record.outcomes)
    states = set(Commitment.objects.values_list("state", flat=True))
    assert {"kept", "partly_kept", "missed", "open"} <= states
    marcus = Client.objects.get(email="marcus@example.org")
    latest = held.filter(engagement__client=marcus).order_by("-starts_at").first()
    # Commitments a check-in answer made belong to no session (checked below).
    open_ones = Commitment.objects.filter(
        client=marcus, state="open", owner="client", session__isnull=False
    )
    assert list(open_ones.values_list("session", flat=True)) == [latest.pk]
    purposes = PurposeStatement.objects.filter(client=marcus).order_by("created_at")
    assert purposes.count() >= 2 and len(set(purposes.values_list("text", flat=True))) >= 2
    assert not SessionNote.objects.filter(session__status="scheduled").exists()


def test_it_keeps_runner_history_unchanged_on_a_second_run(db):
    call_command("seed_demo", stdout=io.StringIO())
    before = runner_counts()
    call_command("seed_demo", stdout=io.StringIO())
    assert runner_counts() == before


def test_it_shows_preparation_ticks_and_open_session_topics(db):
    from datetime import timedelta

    from django.utils import timezone

    from flowcoach.coaching.models import CoachingSession, PreparationTick
    from flowcoach.outbox.models import Message

    call_command("seed_demo", stdout=io.StringIO())
    soon = timezone.now() + timedelta(hours=26)
    today = CoachingSession.objects.filter(status="scheduled", starts_at__lt=soon)
    sides = set(PreparationTick.objects.filter(session__in=today).values_list("side", flat=True))
    assert sides == {"coach", "client"}
    marcus = {
        s.code: s
        for s in CoachingSession.objects.filter(
            engagement__client__email="marcus@example.org",
            engagement__program__slug="best-seller",
        )
    }
    assert marcus["S4"].status == marcus["S5"].status == "scheduled"
    assert marcus["S4"].open_topic and not marcus["S5"].open_topic
    s4_email = Message.objects.get(key=f"session:{marcus['S4'].pk}:preparation")
    assert marcus["S4"].open_topic in s4_email.subject and not s4_email.warning
    s5_email = Message.objects.get(key=f"session:{marcus['S5'].pk}:preparation")
    assert s5_email.state == "draft" and s5_email.warning.startswith("No topic")

    counts = (PreparationTick.objects.count(), Message.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert counts == (PreparationTick.objects.count(), Message.objects.count())


def test_it_shows_coaching_reports_from_transcripts(db, client):
    from flowcoach.transcripts.models import Transcript

    call_command("seed_demo", stdout=io.StringIO())
    reports = {t.coach.email: t for t in Transcript.objects.select_related("coach")}
    assert set(reports) == {"dana@demo.flowcoach.test", "aisha@demo.flowcoach.test"}
    assert all(t.is_analysed for t in reports.values())
    dana = reports["dana@demo.flowcoach.test"]
    assert dana.figures["flow_stages_covered"] == ["find_out", "learn_about", "own", "work_it"]
    client.force_login(dana.coach)
    page = client.get(reverse("transcript_report", args=[dana.pk])).content.decode()
    assert "Coaching report" in page and "31%" in page
    call_command("seed_demo", stdout=io.StringIO())
    assert Transcript.objects.count() == 2


def test_it_gives_the_demo_check_ins_in_every_state_with_moving_ratings(db):
    from flowcoach.checkins.models import Checkin, CommitmentUpdate, ProgressLog
    from flowcoach.coaching.models import Commitment

    call_command("seed_demo", stdout=io.StringIO())
    states = set(Checkin.objects.values_list("state", flat=True))
    assert states == {"answered", "late", "missed", "open"}
    settled = set(CommitmentUpdate.objects.values_list("state", flat=True))
    assert settled == {"kept", "partly_kept", "missed", "dropped"}
    assert Commitment.objects.filter(checkin_source__isnull=False, state="open").exists()
    assert ProgressLog.objects.exists()
    ratings = Checkin.objects.filter(identity_rating__isnull=False).values_list(
        "identity_rating", flat=True
    )
    assert len(set(ratings)) > 2
    counts = (
        Checkin.objects.count(),
        CommitmentUpdate.objects.count(),
        ProgressLog.objects.count(),
    )
    call_command("seed_demo", stdout=io.StringIO())
    assert (
        Checkin.objects.count(),
        CommitmentUpdate.objects.count(),
        ProgressLog.objects.count(),
    ) == counts


def test_it_gives_the_admin_an_audit_log_with_every_kind_of_entry_once(db):
    from flowcoach.accounts.models import AuditEntry

    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    actions = sorted(AuditEntry.objects.values_list("action", flat=True))
    assert actions == ["export", "export", "new_device", "settings_changed"]


def test_it_fills_every_section_of_each_demo_coachs_home(db):
    """Issue 12: a session today, drafts to approve, an overdue follow-up, commitments due,
    a program to schedule and a quiet client, for each demo coach."""
    from django.test import Client as Http

    from flowcoach.accounts.models import Organisation
    from flowcoach.home.selectors import coach_home

    call_command("seed_demo", stdout=io.StringIO())
    org = Organisation.objects.get(slug=demo_data.ORGANISATION["slug"])
    for spec in demo_data.COACHES:
        coach = User.objects.get(email=spec["email"])
        home = coach_home(coach, org)
        assert home.today_sessions and home.week_sessions, spec["email"]
        for section in (
            home.drafts,
            home.follow_ups,
            home.commitments,
            home.to_schedule,
            home.quiet,
        ):
            assert section.items, spec["email"]
        http = Http()
        http.force_login(coach)
        assert 'class="empty-line"' not in http.get(reverse("coach_home")).content.decode()


def test_it_shows_a_prepared_export_and_one_waiting_for_the_worker(db, private_storage):
    from flowcoach.insights.models import ExportJob, ExportState

    call_command("seed_demo", stdout=io.StringIO())
    ready, waiting = ExportJob.objects.order_by("pk")
    assert ready.state == ExportState.READY and (private_storage / ready.file.name).exists()
    assert ready.rows_written == ready.rows_total > 0
    assert waiting.state == ExportState.QUEUED and waiting.owner == ready.owner
    call_command("seed_demo", stdout=io.StringIO())
    assert ExportJob.objects.count() == 2
