"""The emailed check-in link answers without signing in, for one client and one week only.
Expired, closed, tampered, foreign and reused-after-closing links explain themselves, offer
the sign-in and change nothing. One-click unsubscribe (RFC 8058) works from a mail client's
POST without a CSRF token, and only there."""

from __future__ import annotations

from datetime import timedelta

from django.core import signing
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from flowcoach.checkins import services, tokens
from flowcoach.checkins.models import Checkin, CheckinCommitment, CommitmentUpdate
from flowcoach.coaching.models import Commitment
from tests.checkin_helpers import client_commitment, coached, open_week


def _link(week: Checkin) -> str:
    return reverse("checkin_answer_link", args=[tokens.answer_token(week)])


def _answers(**extra) -> dict:
    return {
        "more": "Call two lapsed buyers",
        "better": "Prepare one question",
        "energy": "7",
    } | extra


def _unchanged(week: Checkin) -> None:
    before = (week.more, week.better, week.state, week.answered_at)
    week.refresh_from_db()
    assert (week.more, week.better, week.state, week.answered_at) == before


def test_it_lets_the_client_answer_from_the_link_without_signing_in(world):
    engagement = coached(world)
    week = open_week(engagement)
    commitment = client_commitment(engagement)
    http = HttpClient()

    page = http.get(_link(week)).content.decode()
    assert "Only Cora Coach reads your answers" in page
    assert commitment.text in page
    response = http.post(
        _link(week),
        _answers(
            commit=["better"],
            **{f"state-{commitment.uuid}": "partly_kept", f"comment-{commitment.uuid}": "Twice"},
        ),
    )

    assert response.status_code == 302
    week.refresh_from_db()
    assert week.state == Checkin.State.ANSWERED and week.energy == 7
    conversion = CheckinCommitment.objects.get(checkin=week)
    assert conversion.word == "better" and conversion.commitment.text == "Prepare one question"
    assert conversion.commitment.state == Commitment.State.OPEN
    commitment.refresh_from_db()
    assert commitment.state == Commitment.State.PARTLY_KEPT
    assert CommitmentUpdate.objects.get(commitment=commitment).comment == "Twice"


def test_it_keeps_what_was_typed_and_says_what_is_missing(world):
    week = open_week(coached(world))
    response = HttpClient().post(_link(week), {"more": "Keep this <b>text</b>"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Choose your energy this week" in page
    assert "Keep this &lt;b&gt;text&lt;/b&gt;" in page
    _unchanged(week)


def test_it_refuses_an_expired_link_and_offers_the_sign_in(world):
    engagement = coached(world)
    week = open_week(engagement, ago=timedelta(days=15))
    Checkin.objects.filter(pk=week.pk).update(closes_at=timezone.now() + timedelta(days=3))
    week.refresh_from_db()
    response = HttpClient().post(_link(week), _answers())
    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()
    assert reverse("portal") in response.content.decode()
    _unchanged(week)


def test_it_refuses_a_closed_week(world):
    week = open_week(coached(world))
    link = _link(week)
    Checkin.objects.filter(pk=week.pk).update(closed_at=timezone.now())
    week.refresh_from_db()
    response = HttpClient().post(link, _answers())
    assert response.status_code == 410
    assert "This check-in has closed" in response.content.decode()
    _unchanged(week)


def test_it_refuses_a_tampered_link(world):
    week = open_week(coached(world))
    token = tokens.answer_token(week)
    tampered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    response = HttpClient().post(reverse("checkin_answer_link", args=[tampered]), _answers())
    assert response.status_code == 400
    assert escape("This link doesn't work") in response.content.decode()
    _unchanged(week)


def test_it_refuses_a_link_naming_another_clients_week(world):
    mine = open_week(coached(world))
    theirs = open_week(coached(world, client=world.other_client, coach=world.other_coach))
    forged = signing.dumps(
        {"c": world.client.pk, "k": theirs.pk, "e": 2_000_000_000},
        salt=tokens.ANSWER_SALT,
        compress=True,
    )
    response = HttpClient().post(reverse("checkin_answer_link", args=[forged]), _answers())
    assert response.status_code == 400
    assert escape("doesn't match") in response.content.decode()
    _unchanged(theirs)
    _unchanged(mine)


def test_it_refuses_another_signed_in_person_holding_the_link(world):
    week = open_week(coached(world))
    for user in (world.other_client_user, world.coach, world.admin):
        response = world.login(user).post(_link(week), _answers())
        assert response.status_code == 403, user
        assert "belongs to someone else" in response.content.decode()
        assert "Call two lapsed buyers" not in response.content.decode()
    _unchanged(week)


def test_it_refuses_a_link_reused_after_the_week_closed(world):
    engagement = coached(world)
    week = open_week(engagement, ago=timedelta(days=1))
    http = HttpClient()
    assert http.post(_link(week), _answers()).status_code == 302
    services.close_weeks(week.closes_at + timedelta(seconds=1))
    week.refresh_from_db()

    response = http.post(_link(week), _answers(more="Changed after closing"))

    assert response.status_code == 410
    _unchanged(week)
    assert week.more == "Call two lapsed buyers"


def test_it_switches_reminders_off_with_a_one_click_post_from_a_mail_client(world):
    mail_client = HttpClient(enforce_csrf_checks=True)
    url = reverse("checkin_unsubscribe", args=[tokens.unsubscribe_token(world.client)])

    page = mail_client.get(url)
    assert page.status_code == 200 and services.reminders_wanted(world.client)
    response = mail_client.post(
        url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 200
    world.client.refresh_from_db()
    assert not services.reminders_wanted(world.client)


def test_it_changes_nothing_for_a_bad_unsubscribe_token(world):
    mail_client = HttpClient(enforce_csrf_checks=True)
    for token in ("nonsense", tokens.unsubscribe_token(world.client)[:-2] + "zz"):
        response = mail_client.post(reverse("checkin_unsubscribe", args=[token]))
        assert response.status_code == 400
    assert services.reminders_wanted(world.client)


def test_it_keeps_csrf_protection_on_every_other_check_in_form(world):
    week = open_week(coached(world))
    browser = HttpClient(enforce_csrf_checks=True)
    assert browser.post(_link(week), _answers()).status_code == 403
    browser.force_login(world.client_user)
    assert browser.post(reverse("checkin_preferences"), {}).status_code == 403
    assert services.reminders_wanted(world.client)
    _unchanged(week)
