"""The audit log: every sensitive action leaves one entry naming the actor, the action, the
record by id and the time; never what anyone wrote, so deleting a client leaves nothing of
them in it; admins read it, nobody edits it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from flowcoach.accounts import audit
from flowcoach.accounts.models import AuditAction, AuditEntry, KnownDevice, Membership, Role
from flowcoach.accounts.services import invitation_create
from flowcoach.clients.models import Client
from tests.conftest import PASSWORD
from tests.session_helpers import enrol, held_track

# These count the queries of pages as rendered (conftest.pages_rendered).
pytestmark = pytest.mark.usefixtures("pages_rendered")


def entries(world, action=None):
    found = AuditEntry.objects.filter(organisation=world.org).order_by("pk")
    return list(found.filter(action=action) if action else found)


def all_entry_text() -> str:
    rows = AuditEntry.objects.values_list(
        "actor_role", "action", "object_type", "object_id", "detail"
    )
    return " ".join(str(row) for row in rows).lower()


def test_it_records_a_coach_change_with_ids_only_and_nothing_when_it_is_refused(world):
    response = world.login(world.admin).post(
        reverse("client_reassign", args=[world.client.pk]), {"coach": world.other_coach.pk}
    )
    assert response.status_code == 302
    [entry] = entries(world, AuditAction.COACH_CHANGED)
    assert entry.actor == world.admin
    assert (entry.object_type, entry.object_id) == ("client", world.client.pk)
    assert entry.detail == {"from_user": world.coach.pk, "to_user": world.other_coach.pk}

    # A change refused by a running session rolls back, and leaves no entry behind.
    from flowcoach.coaching.runner import clock

    session = enrol(world, coach=world.other_coach).sessions.order_by("sequence").first()
    clock.timing_event(session=session, event="start")
    response = world.login(world.admin).post(
        reverse("client_reassign", args=[world.client.pk]), {"coach": world.coach.pk}
    )
    assert Client.objects.get(pk=world.client.pk).coach == world.other_coach
    assert len(entries(world, AuditAction.COACH_CHANGED)) == 1


def test_it_records_suspending_restoring_and_joining(world):
    membership = Membership.objects.get(user=world.client_user, organisation=world.org)
    admin = world.login(world.admin)
    admin.post(reverse("membership_toggle", args=[membership.pk]))
    admin.post(reverse("membership_toggle", args=[membership.pk]))
    suspended, restored = (
        entries(world, AuditAction.MEMBER_SUSPENDED),
        entries(world, AuditAction.MEMBER_RESTORED),
    )
    assert [(e.actor, e.object_id, e.detail) for e in suspended + restored] == [
        (world.admin, membership.pk, {"role": "client"}),
        (world.admin, membership.pk, {"role": "client"}),
    ]

    invitation = invitation_create(
        organisation=world.org,
        invited_by=world.admin,
        email="new.coach@harbour.test",
        role=Role.COACH,
        full_name="Nia New",
    )
    from flowcoach.accounts.services import invitation_accept

    user = invitation_accept(
        invitation=invitation, full_name="Nia New", password=PASSWORD, time_zone="Europe/London"
    )
    [joined] = entries(world, AuditAction.MEMBER_JOINED)
    assert (joined.actor, joined.actor_role, joined.object_id) == (user, "coach", user.pk)


def test_it_records_which_settings_changed_but_not_their_values(world):
    admin = world.login(world.admin)
    response = admin.post(
        reverse("organisation_settings"),
        {"name": "Harbour Coaching Secret Name", "time_zone": "Europe/Paris"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    [entry] = entries(world, AuditAction.SETTINGS_CHANGED)
    assert entry.actor == world.admin and entry.object_type == "organisation"
    assert "name" in entry.detail["fields"] and "time_zone" in entry.detail["fields"]
    assert "secret name" not in all_entry_text()

    # Saving again with nothing changed records nothing.
    admin.post(
        reverse("organisation_settings"),
        {"name": "Harbour Coaching Secret Name", "time_zone": "Europe/Paris"},
    )
    assert len(entries(world, AuditAction.SETTINGS_CHANGED)) == 1

    admin.post(reverse("outbox_settings"), {"auto_approve_kinds": ["follow_up"]})
    emails = [e for e in entries(world, AuditAction.SETTINGS_CHANGED) if e.pk != entry.pk]
    assert [(e.object_type, e.detail) for e in emails] == [
        ("email_settings", {"auto_approve": ["follow_up"]})
    ]


def test_it_records_exports_of_coaching_content(world):
    session = held_track(world, {})[0]
    coach = world.login(world.coach)
    assert coach.get(reverse("runner_summary_md", args=[session.pk])).status_code == 200
    assert coach.get(reverse("runner_summary_pdf", args=[session.pk])).status_code == 200
    assert world.login(world.client_user).get(reverse("portal_my_records")).status_code == 200
    exports = entries(world, AuditAction.EXPORT)
    assert [(e.actor, e.actor_role, e.object_type, e.object_id, e.detail) for e in exports] == [
        (world.coach, "coach", "session", session.pk, {"format": "md"}),
        (world.coach, "coach", "session", session.pk, {"format": "pdf"}),
        (world.client_user, "client", "client", world.client.pk, {"format": "zip"}),
    ]


def test_it_notes_a_sign_in_from_a_new_device_but_not_the_first_or_a_known_one(world, client):
    def sign_in(agent):
        response = client.post(
            reverse("account_login"),
            {"login": world.coach.email, "password": PASSWORD},
            HTTP_USER_AGENT=agent,
        )
        assert response.status_code == 302
        client.logout()

    sign_in("Laptop browser 1.0")
    sign_in("Laptop browser 1.0")
    assert entries(world, AuditAction.NEW_DEVICE) == []
    sign_in("Phone browser 2.0")
    [entry] = entries(world, AuditAction.NEW_DEVICE)
    assert (entry.actor, entry.actor_role, entry.object_id) == (
        world.coach,
        "coach",
        world.coach.pk,
    )
    # The agent itself is never stored, only a keyed hash of it.
    assert KnownDevice.objects.filter(user=world.coach).count() == 2
    assert "browser" not in " ".join(KnownDevice.objects.values_list("fingerprint", flat=True))
    assert "browser" not in all_entry_text()


def test_it_keeps_nothing_of_a_deleted_client(world):
    world.login(world.client_user).get(reverse("portal_my_records"))
    world.login(world.admin).post(
        reverse("client_reassign", args=[world.client.pk]), {"coach": world.other_coach.pk}
    )
    name, email, client_pk = world.client.full_name, world.client.email, world.client.pk
    response = world.login(world.admin).post(
        reverse("client_delete", args=[client_pk]), {"confirm_name": name}
    )
    assert response.status_code == 302
    [deleted] = entries(world, AuditAction.CLIENT_DELETED)
    assert (deleted.actor, deleted.object_id) == (world.admin, client_pk)
    text = all_entry_text()
    assert name.lower() not in text and email.lower() not in text
    # The client's own export is still counted, but no longer points at their account.
    [export] = entries(world, AuditAction.EXPORT)
    assert export.actor is None and export.actor_role == "client"
    page = world.login(world.admin).get(reverse("audit_log")).content.decode()
    assert name not in page and email not in page
    assert "an account since removed" in page


def test_it_refuses_to_change_an_entry_or_hold_words(world):
    entry = audit.audit_record(
        organisation=world.org, actor=world.admin, action=AuditAction.SETTINGS_CHANGED
    )
    entry.action = AuditAction.EXPORT
    with pytest.raises(ValueError, match="never changed"):
        entry.save()
    with pytest.raises(ValueError, match="counts and codes"):
        audit.audit_record(
            organisation=world.org,
            actor=world.admin,
            action=AuditAction.EXPORT,
            detail={"note": "Cliff said he is thinking of leaving"},
        )
    with pytest.raises(ValueError, match="unknown audit action"):
        audit.audit_record(organisation=world.org, actor=None, action="made_up")
    # The page only reads: a POST is refused and changes nothing.
    response = world.login(world.admin).post(reverse("audit_log"), {"action": "export"})
    assert response.status_code == 405
    assert AuditEntry.objects.get(pk=entry.pk).action == AuditAction.SETTINGS_CHANGED


def _fill(world, count: int) -> None:
    now = timezone.now()
    AuditEntry.objects.bulk_create(
        AuditEntry(
            organisation=world.org,
            actor=world.coach if index % 2 else world.admin,
            actor_role="coach" if index % 2 else "admin",
            action=AuditAction.EXPORT if index % 3 else AuditAction.SETTINGS_CHANGED,
            object_type="session",
            object_id=index,
            detail={"format": "pdf"},
            created_at=now - timedelta(hours=index),
        )
        for index in range(count)
    )


def test_it_shows_admins_their_own_organisations_log_filtered_and_in_pages(world):
    _fill(world, 120)
    audit.audit_record(
        organisation=world.other_org, actor=world.other_admin, action=AuditAction.EXPORT
    )
    admin = world.login(world.admin)
    page = admin.get(reverse("audit_log"))
    assert page.status_code == 200
    assert "120 entries" in page.content.decode()
    assert "Page 1 of 3" in page.content.decode()
    assert len(page.context["page"].object_list) == 50
    assert all(e.organisation_id == world.org.pk for e in page.context["page"].object_list)

    by_coach = admin.get(reverse("audit_log"), {"actor": world.coach.pk, "action": "export"})
    listed = list(by_coach.context["page"].paginator.object_list)
    assert listed and all(e.actor == world.coach and e.action == "export" for e in listed)

    today = timezone.localdate(timezone=__import__("zoneinfo").ZoneInfo("Europe/London"))
    recent = admin.get(reverse("audit_log"), {"since": today.isoformat()})
    assert 0 < recent.context["page"].paginator.count < 120

    wrong = admin.get(reverse("audit_log"), {"since": "2026-12-10", "until": "2026-12-01"})
    assert wrong.status_code == 400
    assert "on or after the first one" in wrong.content.decode()

    for other in (world.coach, world.client_user):
        assert world.login(other).get(reverse("audit_log")).status_code == 403


@pytest.mark.parametrize("count", [3, 150])
def test_it_reads_the_log_in_the_same_queries_whatever_its_length(world, count):
    _fill(world, count)
    admin = world.login(world.admin)
    admin.get(reverse("audit_log"))  # warm the session
    with CaptureQueriesContext(connection) as queries:
        assert admin.get(reverse("audit_log")).status_code == 200
    # session, user, memberships, the actor filter, the count, one page with its actors
    assert len(queries) == 4, [q["sql"] for q in queries.captured_queries]


def test_it_offers_only_the_people_the_log_names_in_its_filter(world):
    """The "Done by" list names those who acted here, not every member: on a practice of
    thousands it would otherwise grow with every client who signs up."""
    _fill(world, 4)
    audit.audit_record(
        organisation=world.other_org, actor=world.other_admin, action=AuditAction.EXPORT
    )
    page = world.login(world.admin).get(reverse("audit_log")).content.decode()
    assert f'value="{world.coach.pk}"' in page and f'value="{world.admin.pk}"' in page
    for quiet in (world.other_coach, world.client_user, world.other_admin):
        assert f'value="{quiet.pk}"' not in page
