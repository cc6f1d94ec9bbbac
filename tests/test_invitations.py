"""Invitations: an admin invites coaches and admins, the email goes through a real SMTP
server, and the signed link creates the account or adds the membership, once."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import signing
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from flowcoach.accounts import services
from flowcoach.accounts.actor import SESSION_KEY
from flowcoach.accounts.models import Invitation, Membership, Role, User
from tests.conftest import PASSWORD, make_user


@pytest.fixture(autouse=True)
def _fresh_rate_limits(db):
    # One test here signs in for real; allauth's per-IP login limit counts in the cache.
    cache.clear()
    yield
    cache.clear()


LINK = re.compile(r"https?://\S+/invitations/(\S+?)/")


def link_path(message) -> str:
    """The invitation link's path, read from the plain-text part of the email."""
    body = message.get_body(preferencelist=("plain",)).get_content()
    match = LINK.search(body)
    assert match, body
    return reverse("invitation_accept", args=[match.group(1)])


def invite(world, capture, email="new.coach@harbour.test", role=Role.COACH, **extra):
    # Invitation emails leave on commit, so run the commit callbacks the test transaction
    # would otherwise swallow.
    with capture(execute=True):
        return services.invitation_create(
            organisation=world.org, invited_by=world.admin, email=email, role=role, **extra
        )


def snapshot():
    return (
        User.objects.count(),
        Membership.objects.count(),
        sorted(Invitation.objects.values_list("pk", "status")),
    )


NEW_PERSON = {
    "full_name": "Nina New",
    "time_zone": "Europe/Berlin",
    "password1": PASSWORD,
    "password2": PASSWORD,
}


def test_it_emails_an_invitation_from_the_people_page(
    world, smtp_server, django_capture_on_commit_callbacks
):
    http = world.login(world.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(
            reverse("people"),
            {"full_name": "Nina New", "email": "Nina@Harbour.test", "role": "coach"},
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get(email="nina@harbour.test")
    assert invitation.role == Role.COACH and invitation.invited_by == world.admin
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert message["To"] == "nina@harbour.test"
    assert "Harbour Practice" in message["Subject"]
    assert services.invitation_from_token(link_path(message).split("/")[2]) == invitation


def test_it_lets_an_admin_invite_another_admin(
    world, smtp_server, django_capture_on_commit_callbacks
):
    http = world.login(world.admin)
    with django_capture_on_commit_callbacks(execute=True):
        http.post(reverse("people"), {"email": "second.admin@harbour.test", "role": "admin"})
    assert Invitation.objects.get(email="second.admin@harbour.test").role == Role.ADMIN
    assert smtp_server.messages[0]["To"] == "second.admin@harbour.test"


def test_it_sends_from_the_organisations_own_address_when_set(
    world, smtp_server, django_capture_on_commit_callbacks
):
    world.org.sending_email = "hello@harbour.test"
    world.org.save()
    invite(world, django_capture_on_commit_callbacks)
    assert "hello@harbour.test" in smtp_server.messages[0]["From"]


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"email": "not-an-email", "role": "coach"}, "email", "Enter a valid email address."),
        ({"email": "", "role": "coach"}, "email", "This field is required."),
        (
            {"email": "COACH@harbour.test", "role": "coach"},
            "email",
            "This person already has that role here.",
        ),
        # Clients are invited from their client's page, with a coach chosen there.
        ({"email": "x@harbour.test", "role": "client"}, "role", "Select a valid choice."),
    ],
)
def test_it_refuses_a_bad_invitation_and_sends_nothing(
    world, smtp_server, django_capture_on_commit_callbacks, data, field, message
):
    before = snapshot()
    http = world.login(world.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(reverse("people"), data)
    assert response.status_code == 400
    assert any(message in error for error in response.context["form"].errors[field])
    assert message in response.content.decode().replace("&#x27;", "'")
    assert snapshot() == before
    assert smtp_server.messages == []


def test_it_lets_a_suspended_person_be_invited_again_to_the_same_role(
    world, django_capture_on_commit_callbacks
):
    Membership.objects.filter(user=world.other_coach, organisation=world.org).update(
        is_active=False
    )
    http = world.login(world.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(reverse("people"), {"email": world.other_coach.email, "role": "coach"})
    assert response.status_code == 302


def test_it_keeps_coaches_away_from_the_people_page(world):
    http = world.login(world.coach)
    before = snapshot()
    assert http.get(reverse("people")).status_code == 403
    assert http.post(reverse("people"), {"email": "a@b.test", "role": "coach"}).status_code == 403
    assert snapshot() == before


def test_it_creates_an_account_for_a_new_person(
    world, smtp_server, django_capture_on_commit_callbacks
):
    invite(world, django_capture_on_commit_callbacks, full_name="Nina New")
    path = link_path(smtp_server.messages[0])
    http = world.login(None)
    page = http.get(path)
    assert page.status_code == 200
    assert page.context["form"].initial["full_name"] == "Nina New"

    response = http.post(path, NEW_PERSON)
    assert response.status_code == 302
    user = User.objects.get(email="new.coach@harbour.test")
    assert user.full_name == "Nina New" and user.time_zone == "Europe/Berlin"
    assert user.check_password(PASSWORD)
    # The email arrived in their inbox, so it counts as proven: no verification round.
    assert EmailAddress.objects.get(user=user).verified
    assert Membership.objects.get(user=user, organisation=world.org).role == Role.COACH
    assert Invitation.objects.get().status == Invitation.Status.ACCEPTED
    # Signed in and working in the inviting organisation.
    assert http.session["_auth_user_id"] == str(user.pk)
    assert http.session[SESSION_KEY] == world.org.pk
    assert http.get(reverse("home"))["Location"] == reverse("coach_home")


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"password2": "something-else-entirely"}, "password2", "The two passwords differ"),
        ({"password1": "short", "password2": "short"}, "password1", "too short"),
        ({"full_name": ""}, "full_name", "This field is required."),
        ({"time_zone": "Mars/Olympus"}, "time_zone", "Select a valid choice."),
    ],
)
def test_it_refuses_a_bad_new_account_form_and_creates_nothing(
    world, django_capture_on_commit_callbacks, change, field, message
):
    invitation = invite(world, django_capture_on_commit_callbacks)
    path = reverse("invitation_accept", args=[services.invitation_token(invitation)])
    before = snapshot()
    http = world.login(None)
    response = http.post(path, {**NEW_PERSON, **change})
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    assert snapshot() == before
    assert "_auth_user_id" not in http.session


def test_it_asks_an_existing_user_to_sign_in_before_joining(
    world, django_capture_on_commit_callbacks
):
    # Cole coaches for Harbour; Elsewhere Sales invites him too.
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invitation_create(
            organisation=world.other_org,
            invited_by=world.other_admin,
            email="COACH2@harbour.test",
            role=Role.COACH,
        )
    path = reverse("invitation_accept", args=[services.invitation_token(invitation)])
    before = snapshot()

    anonymous = world.login(None)
    page = anonymous.get(path)
    assert "Sign in with it, then come back" in page.content.decode()
    assert f"{reverse('account_login')}?next=" in page.content.decode()
    # A forwarded link cannot be used to take over the account without signing in.
    anonymous.post(path, NEW_PERSON)
    assert snapshot() == before

    # The page's sign-in link brings them straight back to the invitation afterwards.
    login = anonymous.post(
        f"{reverse('account_login')}?next={path}",
        {"login": world.other_coach.email, "password": PASSWORD},
    )
    assert login["Location"] == path

    signed_in = world.login(world.other_coach)
    assert "Accept and join" in signed_in.get(path).content.decode()
    response = signed_in.post(path)
    assert response.status_code == 302
    assert Membership.objects.filter(
        user=world.other_coach, organisation=world.other_org, role=Role.COACH
    ).exists()
    assert signed_in.session[SESSION_KEY] == world.other_org.pk
    assert User.objects.count() == before[0]


def test_it_tells_someone_signed_in_with_another_address_to_sign_out(
    world, django_capture_on_commit_callbacks
):
    invitation = invite(world, django_capture_on_commit_callbacks)
    path = reverse("invitation_accept", args=[services.invitation_token(invitation)])
    before = snapshot()
    http = world.login(world.coach)
    page = http.get(path)
    assert "but this invitation is for new.coach@harbour.test. Sign out" in page.content.decode()
    http.post(path, NEW_PERSON)
    assert snapshot() == before


def test_it_explains_an_expired_link_and_changes_nothing(world, django_capture_on_commit_callbacks):
    invitation = invite(world, django_capture_on_commit_callbacks)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(1))
    path = reverse("invitation_accept", args=[services.invitation_token(invitation)])
    before = snapshot()
    for response in (world.login(None).get(path), world.login(None).post(path, NEW_PERSON)):
        assert response.status_code == 410
        assert "This invitation has expired. Ask for a new one." in response.content.decode()
    assert snapshot() == before


def test_it_explains_a_link_whose_signature_is_too_old(world, django_capture_on_commit_callbacks):
    invitation = invite(world, django_capture_on_commit_callbacks)
    # A token signed long ago fails on its signed timestamp, even if the row says otherwise.
    signer = signing.TimestampSigner(salt=services.INVITATION_SALT)
    old = timezone.now() - timedelta(days=services.INVITATION_DAYS + 2)
    signer.timestamp = lambda: signing.b62_encode(int(old.timestamp()))
    token = signer.sign_object({"i": invitation.pk}, compress=True)
    response = world.login(None).get(reverse("invitation_accept", args=[token]))
    assert response.status_code == 410
    assert "expired" in response.content.decode()


def test_it_explains_a_withdrawn_link_and_changes_nothing(
    world, django_capture_on_commit_callbacks
):
    invitation = invite(world, django_capture_on_commit_callbacks)
    response = world.login(world.admin).post(reverse("invitation_revoke", args=[invitation.pk]))
    assert response.status_code == 302
    path = reverse("invitation_accept", args=[services.invitation_token(invitation)])
    before = snapshot()
    response = world.login(None).post(path, NEW_PERSON)
    assert response.status_code == 410
    assert "This invitation was withdrawn." in response.content.decode()
    assert snapshot() == before


def test_it_explains_a_used_link_and_changes_nothing(world, django_capture_on_commit_callbacks):
    invitation = invite(world, django_capture_on_commit_callbacks)
    path = reverse("invitation_accept", args=[services.invitation_token(invitation)])
    world.login(None).post(path, NEW_PERSON)
    before = snapshot()
    response = world.login(None).post(path, {**NEW_PERSON, "full_name": "Someone Else"})
    assert response.status_code == 410
    assert "already been used. Sign in instead." in response.content.decode()
    assert snapshot() == before
    assert User.objects.get(email="new.coach@harbour.test").full_name == "Nina New"


@pytest.mark.parametrize("mangle", [lambda t: t[:-2] + "xx", lambda t: "A" + t, lambda t: "nope"])
def test_it_explains_a_tampered_link_and_changes_nothing(
    world, django_capture_on_commit_callbacks, mangle
):
    invitation = invite(world, django_capture_on_commit_callbacks)
    path = reverse("invitation_accept", args=[mangle(services.invitation_token(invitation))])
    before = snapshot()
    response = world.login(None).post(path, NEW_PERSON)
    assert response.status_code == 410
    assert "This invitation link is not valid." in response.content.decode()
    assert snapshot() == before


def test_it_replaces_the_old_link_when_an_invitation_is_resent(
    world, smtp_server, django_capture_on_commit_callbacks
):
    invitation = invite(world, django_capture_on_commit_callbacks)
    old_path = link_path(smtp_server.messages[0])
    with django_capture_on_commit_callbacks(execute=True):
        response = world.login(world.admin).post(reverse("invitation_resend", args=[invitation.pk]))
    assert response.status_code == 302
    assert len(smtp_server.messages) == 2
    new_path = link_path(smtp_server.messages[1])
    assert new_path != old_path
    old = world.login(None).get(old_path)
    assert old.status_code == 410
    assert "A newer invitation replaced this link." in old.content.decode()
    assert world.login(None).get(new_path).status_code == 200
    assert Invitation.objects.filter(status=Invitation.Status.PENDING).count() == 1


def test_it_does_not_resend_an_accepted_invitation(world, django_capture_on_commit_callbacks):
    invitation = invite(world, django_capture_on_commit_callbacks)
    world.login(None).post(
        reverse("invitation_accept", args=[services.invitation_token(invitation)]), NEW_PERSON
    )
    before = snapshot()
    http = world.login(world.admin)
    response = http.post(reverse("invitation_resend", args=[invitation.pk]), follow=True)
    assert "has already accepted" in response.content.decode()
    assert snapshot() == before


def test_it_lets_a_coach_invite_their_own_client(
    world, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invitation_create(
            organisation=world.org,
            invited_by=world.coach,
            email="fresh.client@harbour.test",
            role=Role.CLIENT,
        )
    assert "private coaching space" in smtp_server.messages[0].get_body(
        preferencelist=("plain",)
    ).get_content().replace("\n", " ")
    world.login(None).post(link_path(smtp_server.messages[0]), NEW_PERSON)
    user = User.objects.get(email="fresh.client@harbour.test")
    assert Membership.objects.get(user=user).role == Role.CLIENT
    # The coach may manage the invitation they sent; another coach may not even see it.
    other = world.login(world.other_coach)
    assert other.post(reverse("invitation_revoke", args=[invitation.pk])).status_code == 404


def test_it_keeps_an_existing_suspended_membership_in_step_when_rejoining(
    world, django_capture_on_commit_callbacks
):
    # A suspended coach invited back gets their access restored by accepting.
    Membership.objects.filter(user=world.other_coach, organisation=world.org).update(
        is_active=False
    )
    invitation = invite(world, django_capture_on_commit_callbacks, email=world.other_coach.email)
    http = world.login(world.other_coach)
    http.post(reverse("invitation_accept", args=[services.invitation_token(invitation)]))
    assert Membership.objects.get(user=world.other_coach, organisation=world.org).is_active


def test_it_hides_invitations_of_another_organisation(world, django_capture_on_commit_callbacks):
    invitation = invite(world, django_capture_on_commit_callbacks)
    http = world.login(world.other_admin)
    assert http.post(reverse("invitation_resend", args=[invitation.pk])).status_code == 404
    assert http.post(reverse("invitation_revoke", args=[invitation.pk])).status_code == 404
    assert Invitation.objects.get(pk=invitation.pk).status == Invitation.Status.PENDING


def test_it_creates_a_user_only_once_for_a_second_invitation(
    world, django_capture_on_commit_callbacks
):
    make_user("two.roles@harbour.test", "Tess Tworoles")
    invitation = invite(world, django_capture_on_commit_callbacks, email="two.roles@harbour.test")
    before = User.objects.count()
    world.login(None).post(
        reverse("invitation_accept", args=[services.invitation_token(invitation)]), NEW_PERSON
    )
    assert User.objects.count() == before


def test_it_links_the_client_record_named_in_a_client_invitation(
    world, django_capture_on_commit_callbacks
):
    from flowcoach.clients.models import Client

    record = Client.objects.create(
        organisation=world.org, coach=world.coach, full_name="Pia Prospect", email="pia@x.test"
    )
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invitation_create(
            organisation=world.org,
            invited_by=world.coach,
            email="pia@x.test",
            role=Role.CLIENT,
            payload={"client_id": record.pk},
        )
    world.login(None).post(
        reverse("invitation_accept", args=[services.invitation_token(invitation)]), NEW_PERSON
    )
    record.refresh_from_db()
    assert record.user == User.objects.get(email="pia@x.test")


def _client_invitation(world, capture, time_zone="Europe/Stockholm"):
    from flowcoach.clients.models import Client
    from flowcoach.clients.services import client_invite

    record = Client.objects.create(
        organisation=world.org,
        coach=world.coach,
        full_name="Maya Lind",
        email="maya@x.test",
        time_zone=time_zone,
    )
    with capture(execute=True):
        invitation = client_invite(client=record, invited_by=world.coach)
    return record, invitation


def test_it_starts_the_acceptance_form_from_the_zone_the_coach_recorded(
    world, django_capture_on_commit_callbacks
):
    world.org.time_zone = "Europe/Amsterdam"
    world.org.save()
    record, invitation = _client_invitation(world, django_capture_on_commit_callbacks)
    url = reverse("invitation_accept", args=[services.invitation_token(invitation)])
    page = world.login(None).get(url).content.decode()
    assert '<option value="Europe/Stockholm" selected>' in page
    # The name comes before the password, as the page's sentence says.
    assert page.index('name="full_name"') < page.index('name="password1"')
    data = {**NEW_PERSON, "time_zone": "Europe/Stockholm"}
    world.login(None).post(url, data)
    user = User.objects.get(email="maya@x.test")
    record.refresh_from_db()
    assert user.time_zone == "Europe/Stockholm" and record.time_zone == "Europe/Stockholm"


def test_it_accepts_an_invitation_by_emailed_code_alone(
    world, smtp_server, django_capture_on_commit_callbacks
):
    record, invitation = _client_invitation(world, django_capture_on_commit_callbacks)
    http = world.login(None)
    response = http.post(reverse("account_request_login_code"), {"email": "maya@x.test"})
    assert response["Location"] == reverse("account_confirm_login_code")
    body = smtp_server.messages[-1].get_body(preferencelist=("plain",)).get_content()
    assert "no account uses that address" not in body
    code = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", body, re.M).group(1)
    response = http.post(reverse("account_confirm_login_code"), {"code": code})
    assert response.status_code == 302
    user = User.objects.get(email="maya@x.test")
    assert not user.has_usable_password() and user.time_zone == "Europe/Stockholm"
    assert Membership.objects.get(user=user).role == Role.CLIENT
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ACCEPTED
    record.refresh_from_db()
    assert record.user == user
    assert http.get(reverse("portal")).status_code == 200


def test_it_makes_no_account_for_a_code_asked_by_an_address_nobody_invited(world, smtp_server):
    world.login(None).post(reverse("account_request_login_code"), {"email": "who@x.test"})
    assert not User.objects.filter(email="who@x.test").exists()


def test_it_leaves_a_members_further_invitation_to_its_page(
    world, smtp_server, django_capture_on_commit_callbacks
):
    # Someone already in an organisation accepts another one knowingly, on its page.
    invitation = invite(world, django_capture_on_commit_callbacks, email=world.other_coach.email)
    services.invitations_accept_on_sign_in(user=world.other_coach)
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.PENDING


def test_it_lists_a_sent_invitation_in_the_inviters_outbox_without_its_link(
    world, smtp_server, django_capture_on_commit_callbacks
):
    from flowcoach.outbox.models import Kind, Message, State

    record, invitation = _client_invitation(world, django_capture_on_commit_callbacks)
    message = Message.objects.get(kind=Kind.ACCOUNT_INVITATION)
    assert (message.state, message.owner, message.to_email) == (
        State.SENT,
        world.coach,
        "maya@x.test",
    )
    assert services.invitation_token(invitation) not in message.text_body
    assert "personal link, kept out of the outbox" in message.text_body
    page = world.login(world.coach).get(reverse("outbox")).content.decode()
    sent = page.split('id="group-sent"')[1]
    assert "Invitation to join" in sent and "Maya Lind" in sent
    assert "invitations to join go at once" in page
