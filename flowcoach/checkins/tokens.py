"""Signed links in check-in emails. An answer link names one client and one week's
check-in and expires two weeks after the week opened; an unsubscribe link names a client and
what they switch off, and lasts as long as the email may sit in their inbox. Nothing but the
signature is secret, so a link altered by one character is refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from flowcoach.clients.models import Client

from .models import Checkin

ANSWER_SALT = "flowcoach.checkins.answer"
UNSUBSCRIBE_SALT = "flowcoach.checkins.unsubscribe"
LINK_LIFE = timedelta(days=14)


class TokenInvalid(Exception):
    """Not a link we made, cut short or altered."""


class TokenExpired(Exception):
    """A real link, too old to use."""


class TokenForeign(Exception):
    """A real link for a check-in that is not the named client's."""


def answer_token(checkin: Checkin) -> str:
    expires = int((checkin.opens_at + LINK_LIFE).timestamp())
    return signing.dumps(
        {"c": checkin.client_id, "k": checkin.pk, "e": expires}, salt=ANSWER_SALT, compress=True
    )


def answer_url(checkin: Checkin) -> str:
    return f"{settings.SITE_URL}{reverse('checkin_answer_link', args=[answer_token(checkin)])}"


def read_answer_token(token: str, now: datetime | None = None) -> Checkin:
    now = now or timezone.now()
    try:
        data = signing.loads(token, salt=ANSWER_SALT)
        client_pk, checkin_pk = int(data["c"]), int(data["k"])
        expires = datetime.fromtimestamp(int(data["e"]), tz=UTC)
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise TokenInvalid from None
    checkin = (
        Checkin.objects.select_related("client", "engagement__coach", "engagement__organisation")
        .filter(pk=checkin_pk)
        .first()
    )
    if checkin is None:
        raise TokenInvalid
    if checkin.client_id != client_pk:
        raise TokenForeign
    if now >= expires:
        raise TokenExpired
    return checkin


def unsubscribe_token(client: Client) -> str:
    return signing.dumps({"c": client.pk, "p": "reminders"}, salt=UNSUBSCRIBE_SALT)


def unsubscribe_url(client: Client) -> str:
    return f"{settings.SITE_URL}{reverse('checkin_unsubscribe', args=[unsubscribe_token(client)])}"


def read_unsubscribe_token(token: str) -> Client:
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        client_pk = int(data["c"])
        if data.get("p") != "reminders":
            raise TokenInvalid
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise TokenInvalid from None
    client = Client.objects.filter(pk=client_pk).first()
    if client is None:
        raise TokenInvalid
    return client
