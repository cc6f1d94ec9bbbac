"""The outbox pages: a coach reviews, edits, approves and writes; an admin sees numbers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from flowcoach.accounts.models import Membership, Role
from flowcoach.outbox import dispatch, services
from flowcoach.outbox.models import Kind, Message, State
from tests.conftest import make_user


def draft(world, key="page:1", owner=None, **overrides):
    values = {
        "organisation": world.org,
        "key": key,
        "kind": Kind.PREPARATION,
        "to_email": "client@harbour.test",
        "to_name": "Cliff Client",
        "subject": "Before we meet on Tuesday",
        "text_body": "A few questions to think about.",
        "send_after": timezone.now() + timedelta(days=2),
        "owner": owner or world.coach,
    }
    values.update(overrides)
    return services.message_draft(**values)


def test_it_groups_a_coachs_messages_and_shows_no_one_elses(world):
    draft(world, key="a", subject="Waiting one")
    services.message_approve(message=draft(world, key="b", subject="Scheduled one"), user=None)
    failed = draft(world, key="c", subject="Failed one")
    Message.objects.filter(pk=failed.pk).update(state=State.FAILED, last_error="550 no")
    draft(world, key="d", subject="Someone else's", owner=world.other_coach)

    page = world.login(world.coach).get(reverse("outbox")).content.decode()
    assert "Waiting one" in page and "Scheduled one" in page and "Failed one" in page
    assert "Someone else&#x27;s" not in page and "Someone else's" not in page
    assert page.index("Needs your attention") < page.index("Waiting for your approval")


def test_it_shows_admins_counts_but_never_content(world):
    draft(world, key="a", subject="Private words")
    page = world.login(world.admin).get(reverse("outbox")).content.decode()
    assert "Cora Coach" in page
    assert "Private words" not in page and "client@harbour.test" not in page
    message = Message.objects.get()
    assert (
        world.login(world.admin).get(reverse("outbox_message", args=[message.pk])).status_code
        == 403
    )


def test_it_edits_a_draft_and_refuses_an_empty_subject(world):
    message = draft(world)
    http = world.login(world.coach)
    url = reverse("outbox_message", args=[message.pk])
    response = http.post(url, {"subject": "  ", "text_body": "New words"})
    assert response.status_code == 400
    assert "Give the message a subject." in response.content.decode()
    message.refresh_from_db()
    assert message.subject == "Before we meet on Tuesday"

    assert (
        http.post(url, {"subject": "See you Tuesday", "text_body": "New words"}).status_code == 302
    )
    message.refresh_from_db()
    assert (message.subject, message.text_body) == ("See you Tuesday", "New words")


def test_it_approves_sends_now_and_cancels_from_the_page(world):
    http = world.login(world.coach)
    first, second, third = draft(world, key="1"), draft(world, key="2"), draft(world, key="3")
    http.post(reverse("outbox_approve", args=[first.pk]))
    http.post(reverse("outbox_send_now", args=[second.pk]))
    http.post(reverse("outbox_cancel", args=[third.pk]))
    states = dict(Message.objects.values_list("key", "state"))
    assert states == {"1": State.APPROVED, "2": State.QUEUED, "3": State.CANCELLED}


def test_it_no_longer_edits_a_message_on_its_way(world):
    message = services.message_send_now(message=draft(world), user=world.coach)
    http = world.login(world.coach)
    url = reverse("outbox_message", args=[message.pk])
    assert 'name="subject"' not in http.get(url).content.decode()
    http.post(url, {"subject": "Changed", "text_body": "Changed"})
    message.refresh_from_db()
    assert message.subject == "Before we meet on Tuesday"


def test_it_asks_the_coach_about_an_interrupted_message_and_sends_it_again(world, smtp_server):
    message = services.message_send_now(message=draft(world), user=world.coach)
    dispatch.start_sending(dispatch.claim(pks=[message.pk])[0])
    Message.objects.filter(pk=message.pk).update(lease_expires_at=timezone.now())
    services.recover_interrupted()
    http = world.login(world.coach)
    page = http.get(reverse("outbox_message", args=[message.pk])).content.decode()
    assert "Did this one arrive?" in page
    http.post(reverse("outbox_resend", args=[message.pk]))
    dispatch.dispatch_due()
    message.refresh_from_db()
    assert message.state == State.SENT
    assert smtp_server.messages[0]["Message-ID"] == message.message_id


def test_it_writes_a_one_off_message_prefilled_from_the_coaching_side(world, smtp_server):
    http = world.login(world.coach)
    page = http.get(reverse("outbox_new"), {"to": "client@harbour.test", "name": "Cliff Client"})
    assert 'value="client@harbour.test"' in page.content.decode()
    key = page.context["form"]["key"].value()
    form = {
        "to_name": "Cliff Client",
        "to_email": "client@harbour.test",
        "subject": "Quick thought",
        "text_body": "Loved your idea about the pipeline review.",
        "key": key,
        "action": "send",
    }
    assert http.post(reverse("outbox_new"), form).status_code == 302
    assert http.post(reverse("outbox_new"), form).status_code == 302, "a double submit"
    message = Message.objects.get()
    assert message.kind == Kind.ONE_OFF and message.owner == world.coach
    dispatch.dispatch_due()
    [received] = smtp_server.messages
    assert received["Reply-To"] == "coach@harbour.test"
    assert received["Subject"] == "Quick thought"


@pytest.mark.parametrize("bad", [{"to_email": "nobody"}, {"subject": ""}, {"text_body": " "}])
def test_it_refuses_an_incomplete_one_off_message(world, bad):
    form = {
        "to_email": "client@harbour.test",
        "subject": "Hi",
        "text_body": "Hello",
        "key": "a" * 32,
        "action": "send",
    } | bad
    response = world.login(world.coach).post(reverse("outbox_new"), form)
    assert response.status_code == 400
    assert not Message.objects.exists()


def test_it_lets_an_admin_choose_what_goes_out_without_approval(world):
    http = world.login(world.admin)
    http.post(reverse("outbox_settings"), {"auto_approve_kinds": ["reminder", "checkin"]})
    assert services.auto_approves(world.org, "checkin")
    assert not services.auto_approves(world.org, "preparation")
    assert not services.auto_approves(world.other_org, "checkin")
    assert draft(world, kind=Kind.CHECKIN).state == State.APPROVED


def test_it_names_the_time_zone_its_times_are_shown_in(world):
    message = draft(world, key="zone", subject="Zone check")
    Message.objects.filter(pk=message.pk).update(
        send_after=datetime(2026, 12, 1, 14, 0, tzinfo=UTC)
    )
    coach = world.login(world.other_coach)
    Message.objects.filter(pk=message.pk).update(owner=world.other_coach)
    listing = coach.get(reverse("outbox")).content.decode()
    detail = coach.get(reverse("outbox_message", args=[message.pk])).content.decode()
    # 14:00 UTC is 09:00 in New York, the coach's own zone, and the pages say which zone.
    assert "(America/New_York)" in listing and "09:00" in listing
    assert "(America/New_York)" in detail and "09:00" in detail


def _one_off(http, key, **changes):
    form = {
        "to_name": "Cliff Client",
        "to_email": "client@harbour.test",
        "subject": "Quick thought",
        "text_body": "Loved your idea about the pipeline review.",
        "key": key,
        "action": "draft",
        **changes,
    }
    return http.post(reverse("outbox_new"), form, follow=True)


def test_it_keeps_one_off_keys_within_their_organisation_and_writer(world, smtp_server):
    """Found by a probe: a key known from another organisation took over its draft, or told
    who a sent message went to."""
    outsider = make_user("coach@elsewhere.test", "Oona Outside")
    Membership.objects.create(user=outsider, organisation=world.other_org, role=Role.COACH)
    key = "ab" * 16
    _one_off(world.login(world.coach), key)
    mine = Message.objects.get()

    answer = _one_off(
        world.login(outsider), key, to_name="Mallory", to_email="mallory@evil.test"
    ).content.decode()
    mine.refresh_from_db()
    assert mine.to_email == "client@harbour.test" and mine.organisation == world.org
    assert "Cliff" not in answer
    theirs = Message.objects.exclude(pk=mine.pk).get()
    assert theirs.organisation == world.other_org and theirs.owner == outsider

    # Sent, it stays out of reach too: the same key elsewhere is simply a new message.
    _one_off(world.login(world.coach), key, action="send")
    answer = _one_off(world.login(outsider), key, to_name="", to_email="m@evil.test")
    assert "client@harbour.test" not in answer.content.decode()
    assert "Cliff" not in answer.content.decode()
    assert Message.objects.filter(organisation=world.org).count() == 1
