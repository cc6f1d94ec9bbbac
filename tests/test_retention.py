"""Keeping coaching content only as long as the organisation decided: what is due goes at the
boundary day in the organisation's zone, nothing else does, the run can repeat, and the audit
log records how much went (never what)."""

from __future__ import annotations

import io
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from django.core.management import call_command
from django.urls import reverse

from flowcoach.accounts import retention
from flowcoach.accounts.models import AuditAction, AuditEntry
from flowcoach.coaching.models import SessionNote
from tests.session_helpers import enrol

LONDON = ZoneInfo("Europe/London")


def at(day: int, month: int = 12, hour: int = 12, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


def ended_with_notes(world, ended_at, count: int, client=None, coach=None, words="said"):
    engagement = enrol(world, client=client, coach=coach)
    session = engagement.sessions.order_by("sequence").first()
    SessionNote.objects.bulk_create(
        SessionNote(
            session=session,
            author=engagement.coach,
            uuid=uuid.uuid4(),
            body=f"{words} {index}",
        )
        for index in range(count)
    )
    engagement.ended_at = ended_at
    engagement.save(update_fields=["ended_at"])
    return engagement


def _notes(previews):
    """The session notes' row of a preview (other apps register kinds of their own)."""
    return next(p for p in previews if p.kind.key == "session_notes")


def notes_of(engagement) -> int:
    return SessionNote.objects.filter(session__engagement=engagement).count()


def test_it_removes_what_is_due_on_the_boundary_day_and_nothing_else(world):
    world.org.retention = {"session_notes": 30}
    world.org.save()
    late_on_first = ended_with_notes(world, at(1, 11, 23, 30), 3)
    early_on_second = ended_with_notes(world, at(2, 11, 0, 30), 2)
    ongoing = ended_with_notes(world, None, 4)
    elsewhere = ended_with_notes(
        world, at(1, 10), 5, client=world.other_client, coach=world.other_coach
    )
    elsewhere.organisation = world.other_org
    elsewhere.save(update_fields=["organisation"])

    # The day before the boundary: nothing is due yet, even late in the evening.
    assert retention.apply(world.org, now=at(30, 11, 23, 59)) == {"session_notes": 0}
    assert notes_of(late_on_first) == 3

    # 1 November + 30 days = 1 December: those notes go, early that morning.
    assert retention.apply(world.org, now=at(1, 12, 0, 5)) == {"session_notes": 3}
    assert (notes_of(late_on_first), notes_of(early_on_second)) == (0, 2)
    assert (notes_of(ongoing), notes_of(elsewhere)) == (4, 5)
    [entry] = AuditEntry.objects.filter(action=AuditAction.RETENTION_APPLIED)
    assert (entry.organisation, entry.actor, entry.object_type) == (
        world.org,
        None,
        "session_notes",
    )
    assert entry.detail == {"removed": 3, "kept_days": 30}

    # Running again the same day changes nothing and records nothing.
    assert retention.apply(world.org, now=at(1, 12, 18)) == {"session_notes": 0}
    assert AuditEntry.objects.filter(action=AuditAction.RETENTION_APPLIED).count() == 1

    # The next day, the next engagement's notes go.
    assert retention.apply_all(now=at(2, 12, 3)) == {"session_notes": 2}
    assert (notes_of(early_on_second), notes_of(ongoing), notes_of(elsewhere)) == (0, 4, 5)


def test_it_previews_what_would_go_and_when_before_anything_is_saved(world):
    ended_with_notes(world, at(1, 11), 3)
    ended_with_notes(world, at(20, 11), 2)
    row = _notes(retention.preview(world.org, {"session_notes": 30}, now=at(5, 12)))
    assert (row.days, row.due_now, row.upcoming) == (30, 3, [(at(20, 12).date(), 2)])
    # The saved setting is still "keep", so the same preview of the saved one shows nothing.
    saved = _notes(retention.preview(world.org, now=at(5, 12)))
    assert (saved.days, saved.due_now, saved.upcoming) == (None, 0, [])
    assert SessionNote.objects.count() == 5


def test_it_lets_an_admin_preview_then_save_with_counts_only_on_the_page(world):
    ended_with_notes(world, at(1, 1), 3, words="Cliff's private worry")
    admin = world.login(world.admin)
    page = admin.get(reverse("retention_settings"))
    assert page.status_code == 200 and "until deleted" in page.content.decode()

    previewed = admin.post(reverse("retention_settings"), {"session_notes": "30", "preview": "1"})
    text = previewed.content.decode()
    assert previewed.status_code == 200
    assert "What these settings would remove" in text and "3 notes" in text
    assert "private worry" not in text
    world.org.refresh_from_db()
    assert world.org.retention == {}

    refused = admin.post(reverse("retention_settings"), {"session_notes": "3", "save": "1"})
    assert refused.status_code == 400
    assert "greater than or equal to 7" in refused.content.decode()
    world.org.refresh_from_db()
    assert world.org.retention == {}

    saved = admin.post(reverse("retention_settings"), {"session_notes": "30", "save": "1"})
    assert saved.status_code == 302
    world.org.refresh_from_db()
    assert world.org.retention == {"session_notes": 30}
    [entry] = AuditEntry.objects.filter(action=AuditAction.SETTINGS_CHANGED)
    assert entry.detail == {"fields": ["session_notes"]} and entry.actor == world.admin
    assert SessionNote.objects.count() == 3, "saving removes nothing; the nightly run does"

    for other in (world.coach, world.client_user):
        assert world.login(other).get(reverse("retention_settings")).status_code == 403


def test_it_refuses_unknown_kinds_and_odd_numbers_of_days():
    import pytest

    for bad in ({"transcripts_of_mars": 30}, {"session_notes": 2}, {"session_notes": "30"}):
        with pytest.raises(ValueError):
            retention.clean_settings(bad)
    assert retention.clean_settings({"session_notes": 30}) == {"session_notes": 30}
    assert retention.clean_settings({"session_notes": None}) == {}


def test_it_runs_from_the_command_line(world):
    world.org.retention = {"session_notes": 7}
    world.org.save()
    engagement = ended_with_notes(world, at(1, 1, year=2025), 2)
    out = io.StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    assert "2 note(s) of session notes due" in out.getvalue()
    assert notes_of(engagement) == 2
    out = io.StringIO()
    call_command("apply_retention", stdout=out)
    assert out.getvalue().strip() == "Removed 2 session_notes."
    assert notes_of(engagement) == 0
