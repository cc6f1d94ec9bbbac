"""The check-in privacy proof: what a client writes in a check-in (answers, note, commitment
comments, progress lines) reaches their coach and themselves, and nobody else. Not another
client (any page of theirs, or the link itself), not another coach, not an admin (who sees
counts), and no email: invitations and reminders carry a link, never an answer."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from flowcoach.checkins import services, tokens
from flowcoach.checkins.models import Checkin
from flowcoach.outbox import services as outbox
from flowcoach.outbox.models import Kind, Message
from flowcoach.outbox.worker import run_worker_once
from tests.checkin_helpers import client_commitment, coached, open_week
from tests.test_privacy_proof import client_urls, email_texts, readable

MARK = re.compile(r"QZXANSWER-[a-z-]+")


def _no_mark(where: str, text: str) -> None:
    leaked = sorted(set(MARK.findall(text)))
    assert not leaked, f"check-in answers in {where}: {leaked}"


def test_it_keeps_check_in_answers_between_the_client_and_their_coach(world, smtp_server):
    engagement = coached(world)
    outbox.email_settings_update(
        organisation=world.org, auto_approve_kinds=[Kind.CHECKIN, Kind.REMINDER]
    )
    week = open_week(engagement, ago=timedelta(days=2, minutes=5))
    services.send_reminders(timezone.now())
    while run_worker_once():
        pass
    commitment = client_commitment(engagement)
    client = world.login(world.client_user)
    response = client.post(
        reverse("portal_checkin", args=[week.pk]),
        {
            "more": "QZXANSWER-more",
            "better": "QZXANSWER-better",
            "different": "QZXANSWER-different",
            "note": "QZXANSWER-note",
            "energy": "4",
            "identity_rating": "9",
            "commit": ["better"],
            f"state-{commitment.uuid}": "missed",
            f"comment-{commitment.uuid}": "QZXANSWER-comment",
        },
    )
    assert response.status_code == 302
    services.progress_log_add(
        commitment=commitment,
        uuid=uuid.uuid4(),
        day=timezone.now().date(),
        text="QZXANSWER-progress",
    )

    # --- emails: stored and received ---------------------------------------------------------
    assert {m.kind for m in Message.objects.all()} >= {Kind.CHECKIN, Kind.REMINDER}
    for message in Message.objects.all():
        _no_mark(
            f"{message.kind} email", f"{message.subject} {message.text_body} {message.html_body}"
        )
    assert len(smtp_server.messages) >= 2
    _no_mark("emails received", "\n".join(email_texts(smtp_server.messages)))

    # --- another client: every page of theirs, and this client's link ------------------------
    other = world.login(world.other_client_user)
    for url in client_urls([], [], []):
        response = other.get(url)
        assert response.status_code in (200, 405), (url, response.status_code)
        _no_mark(f"other client {url}", readable(response))
    foreign = [
        reverse("portal_checkin", args=[week.pk]),
        reverse("checkin_answer_link", args=[tokens.answer_token(week)]),
    ]
    for url in foreign:
        response = other.get(url)
        assert response.status_code in (403, 404), url
        _no_mark(f"other client {url}", readable(response))

    # --- another coach and the admin ---------------------------------------------------------
    staff_pages = [
        reverse("client_list"),
        reverse("client_detail", args=[world.client.pk]),
        reverse("outbox"),
        reverse("engagement_checkins", args=[engagement.pk]),
        reverse("engagement_detail", args=[engagement.pk]),
        reverse("checkin_overview"),
    ]
    for user in (world.other_coach, world.admin, world.other_admin):
        http = world.login(user)
        for url in staff_pages:
            _no_mark(f"{user.email} {url}", http.get(url).content.decode())
    overview = world.login(world.admin).get(reverse("checkin_overview")).content.decode()
    assert "<td>Answered late</td><td>1</td>" in overview
    assert world.login(world.admin).get(staff_pages[3]).status_code == 403
    assert world.login(world.other_coach).get(staff_pages[3]).status_code == 404

    # --- control: the client and their coach do read them ------------------------------------
    own = client.get(reverse("portal_checkin", args=[week.pk])).content.decode()
    records = readable(client.get(reverse("portal_my_records")))
    coach_page = world.login(world.coach).get(staff_pages[3]).content.decode()
    for name in ("more", "better", "different", "note"):
        assert f"QZXANSWER-{name}" in own and f"QZXANSWER-{name}" in records, name
        assert f"QZXANSWER-{name}" in coach_page, name
    assert "QZXANSWER-progress" in records and "QZXANSWER-comment" in records
    assert Checkin.objects.get(pk=week.pk).state == Checkin.State.LATE
