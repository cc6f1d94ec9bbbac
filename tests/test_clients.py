"""Client records as coaches and admins use them: find, add, read, change, hand over."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from flowcoach.accounts import services as account_services
from flowcoach.accounts.models import Invitation, Membership, Role
from flowcoach.clients import services
from flowcoach.clients.models import Client, MotivationProfile
from tests.conftest import make_user

# These count the queries of pages as rendered (conftest.pages_rendered).
pytestmark = pytest.mark.usefixtures("pages_rendered")


def snapshot():
    return list(
        Client.objects.order_by("pk").values(
            "pk",
            "full_name",
            "email",
            "company",
            "job_title",
            "phone",
            "time_zone",
            "coach_id",
            "archived_at",
        )
    )


# ---- list ----


def test_it_lists_only_the_coachs_own_clients(world):
    response = world.login(world.coach).get(reverse("client_list"))
    assert response.status_code == 200
    assert b"Cliff Client" in response.content
    assert b"Clara Second" not in response.content
    assert reverse("client_detail", args=[world.client.pk]).encode() in response.content


def test_it_shows_an_admin_every_client_with_a_coach_column(world):
    response = world.login(world.admin).get(reverse("client_list"))
    content = response.content.decode()
    assert "Cliff Client" in content and "Clara Second" in content
    assert '<th scope="col">Coach</th>' in content


def test_it_searches_by_name_email_and_company(world):
    http = world.login(world.admin)
    for term in ("cliff", "client@harbour", "acme"):
        content = http.get(reverse("client_list"), {"q": term}).content.decode()
        assert "Cliff Client" in content and "Clara Second" not in content, term
    content = http.get(reverse("client_list"), {"q": "nobody-like-this"}).content.decode()
    assert "No client matches" in content


def test_it_filters_archived_and_all(world):
    services.client_archive(client=world.client)
    http = world.login(world.coach)
    assert b"Cliff Client" not in http.get(reverse("client_list")).content
    assert b"Cliff Client" in http.get(reverse("client_list"), {"state": "archived"}).content
    assert b"Cliff Client" in http.get(reverse("client_list"), {"state": "all"}).content


def test_it_lets_an_admin_filter_by_coach(world):
    http = world.login(world.admin)
    content = http.get(reverse("client_list"), {"coach": world.other_coach.pk}).content.decode()
    assert "Clara Second" in content and "Cliff Client" not in content


def test_it_paginates_by_25_and_keeps_the_query_in_the_links(world):
    for n in range(30):
        services.client_create(
            organisation=world.org, coach=world.coach, full_name=f"Zed {n:02}", email=f"z{n}@x.test"
        )
    http = world.login(world.coach)
    page1 = http.get(reverse("client_list"), {"q": "zed"}).content.decode()
    assert "30 clients match" in page1
    assert page1.count("Zed ") == 25
    assert "?q=zed&amp;page=2" in page1
    page2 = http.get(reverse("client_list"), {"q": "zed", "page": 2}).content.decode()
    assert page2.count("Zed ") == 5


def test_it_lists_clients_in_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    http = world.login(world.admin)
    url = reverse("client_list")
    with CaptureQueriesContext(connection) as few:
        assert http.get(url, {"state": "all"}).status_code == 200
    for n in range(40):
        services.client_create(
            organisation=world.org, coach=world.coach, full_name=f"Q {n}", email=f"q{n}@x.test"
        )
    with django_assert_max_num_queries(len(few)):
        response = http.get(url, {"state": "all"})
    assert response.context["page"].paginator.count == 42


# ---- create ----


def test_it_gives_a_coachs_new_client_to_that_coach_with_an_empty_profile(world):
    response = world.login(world.coach).post(
        reverse("client_create"),
        {
            "full_name": "Nina New",
            "email": "Nina@Example.test",
            "company": "Globex",
            "job_title": "AE",
            "phone": "+44 1",
            "time_zone": "Europe/Berlin",
        },
    )
    client = Client.objects.get(full_name="Nina New")
    assert response.status_code == 302
    assert response["Location"] == reverse("client_detail", args=[client.pk])
    assert client.coach == world.coach and client.organisation == world.org
    assert client.email == "nina@example.test" and client.time_zone == "Europe/Berlin"
    assert MotivationProfile.objects.filter(client=client).exists()


def test_it_lets_an_admin_choose_the_coach(world):
    http = world.login(world.admin)
    assert b'name="coach"' in http.get(reverse("client_create")).content
    http.post(
        reverse("client_create"),
        {
            "coach": world.other_coach.pk,
            "full_name": "Ola",
            "email": "ola@x.test",
            "time_zone": "UTC",
        },
    )
    assert Client.objects.get(email="ola@x.test").coach == world.other_coach


def test_it_refuses_a_coach_who_is_not_an_active_coach_here(world):
    before = snapshot()
    Membership.objects.filter(user=world.other_coach).update(is_active=False)
    response = world.login(world.admin).post(
        reverse("client_create"),
        {"coach": world.other_coach.pk, "full_name": "Ola", "email": "ola@x.test"},
    )
    assert response.status_code == 200
    assert "coach" in response.context["form"].errors
    response = world.login(world.admin).post(
        reverse("client_create"), {"full_name": "Ola", "email": "ola@x.test", "time_zone": "UTC"}
    )
    assert response.context["form"].errors["coach"] == ["Choose who will coach this client."]
    assert snapshot() == before


def test_it_explains_what_is_missing_or_taken_and_saves_nothing(world):
    before = snapshot()
    http = world.login(world.coach)
    response = http.post(reverse("client_create"), {"full_name": " ", "email": "nope"})
    errors = response.context["form"].errors
    assert response.status_code == 200
    assert errors["full_name"] == ["Please enter the client's name."]
    assert "email" in errors
    response = http.post(
        reverse("client_create"),
        {"full_name": "Twin", "email": "CLIENT2@harbour.test", "time_zone": "UTC"},
    )
    assert response.context["form"].errors["email"] == [
        "A client with this email is already in your organisation."
    ]
    assert b"already in your organisation" in response.content
    response = http.post(
        reverse("client_create"),
        {"full_name": "Twin", "email": "t@x.test", "time_zone": "Mars/Olympus"},
    )
    assert "time_zone" in response.context["form"].errors
    assert snapshot() == before


def test_it_allows_the_same_email_in_another_organisation(world):
    response = world.login(world.other_admin)
    Membership.objects.create(user=world.other_admin, organisation=world.other_org, role=Role.COACH)
    response = world.login(world.other_admin).post(
        reverse("client_create"),
        {
            "coach": world.other_admin.pk,
            "full_name": "Cliff",
            "email": "client@harbour.test",
            "time_zone": "UTC",
        },
    )
    assert response.status_code == 302
    assert Client.objects.filter(email="client@harbour.test").count() == 2


# ---- page, edit, archive ----


def test_it_shows_the_client_page_with_contact_coach_and_portal_state(world):
    content = world.login(world.coach).get(reverse("client_detail", args=[world.client.pk]))
    content = content.content.decode()
    for text in ("client@harbour.test", "Acme Ltd", "Europe/Paris", "Cora Coach", "has an account"):
        assert text in content
    assert reverse("client_reassign", args=[world.client.pk]) not in content


def test_it_never_shows_an_admin_profile_content(world):
    profile = MotivationProfile.objects.create(
        client=world.client, blind_spots="Secret blind spot", motivational_flow="Secret flow"
    )
    content = world.login(world.admin).get(reverse("client_detail", args=[world.client.pk]))
    content = content.content.decode()
    assert "Secret" not in content
    assert reverse("client_reassign", args=[world.client.pk]) in content
    assert profile.pk


def test_it_edits_contact_details(world):
    response = world.login(world.coach).post(
        reverse("client_edit", args=[world.client.pk]),
        {
            "full_name": "Cliff Renamed",
            "email": "cliff@new.test",
            "company": "",
            "job_title": "VP",
            "phone": "",
            "time_zone": "Asia/Tokyo",
        },
    )
    assert response.status_code == 302
    world.client.refresh_from_db()
    assert (world.client.full_name, world.client.email, world.client.time_zone) == (
        "Cliff Renamed",
        "cliff@new.test",
        "Asia/Tokyo",
    )


def test_it_keeps_the_clients_own_email_but_refuses_anothers_on_edit(world):
    http = world.login(world.admin)
    url = reverse("client_edit", args=[world.client.pk])
    data = {"full_name": "Cliff Client", "email": "CLIENT@harbour.test", "time_zone": "UTC"}
    assert http.post(url, data).status_code == 302
    before = snapshot()
    response = http.post(url, {**data, "full_name": "Changed", "email": "client2@harbour.test"})
    assert response.status_code == 200
    assert "already in your organisation" in response.context["form"].errors["email"][0]
    assert b"Edit Cliff Client" in response.content
    assert snapshot() == before


def test_it_archives_and_restores(world):
    http = world.login(world.coach)
    http.post(reverse("client_archive", args=[world.client.pk]))
    world.client.refresh_from_db()
    assert world.client.is_archived
    assert b"Restore" in http.get(reverse("client_detail", args=[world.client.pk])).content
    http.post(reverse("client_restore", args=[world.client.pk]))
    world.client.refresh_from_db()
    assert not world.client.is_archived


def test_it_refuses_get_on_archive(world):
    response = world.login(world.coach).get(reverse("client_archive", args=[world.client.pk]))
    assert response.status_code == 405


# ---- reassign ----


def test_it_lets_an_admin_hand_a_client_to_another_coach(world):
    response = world.login(world.admin).post(
        reverse("client_reassign", args=[world.client.pk]), {"coach": world.other_coach.pk}
    )
    assert response.status_code == 302
    world.client.refresh_from_db()
    assert world.client.coach == world.other_coach
    assert (
        world.login(world.coach).get(reverse("client_detail", args=[world.client.pk])).status_code
        == 404
    )


def test_it_refuses_a_reassignment_to_nobody_the_same_coach_or_an_outsider(world):
    before = snapshot()
    outsider = make_user("out@x.test", "Out Sider")
    Membership.objects.create(user=outsider, organisation=world.other_org, role=Role.COACH)
    http = world.login(world.admin)
    url = reverse("client_reassign", args=[world.client.pk])
    for data in ({}, {"coach": world.coach.pk}, {"coach": outsider.pk}, {"coach": world.admin.pk}):
        response = http.post(url, data)
        assert response.status_code == 200, data
        assert response.context["form"].errors["coach"], data
    assert snapshot() == before


# ---- invitation ----


def test_it_invites_a_client_to_their_portal_by_email(
    world, smtp_server, django_capture_on_commit_callbacks
):
    client = services.client_create(
        organisation=world.org, coach=world.coach, full_name="Ivy Invite", email="ivy@x.test"
    )
    http = world.login(world.coach)
    content = http.get(reverse("client_detail", args=[client.pk])).content.decode()
    assert "No invitation yet" in content
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(reverse("client_invite", args=[client.pk]))
    assert response.status_code == 302
    invitation = Invitation.objects.get(email="ivy@x.test")
    assert invitation.role == Role.CLIENT
    assert invitation.payload == {"client_id": client.pk, "time_zone": client.time_zone}
    assert invitation.invited_by == world.coach
    assert [m["To"] for m in smtp_server.messages] == ["ivy@x.test"]
    content = http.get(reverse("client_detail", args=[client.pk])).content.decode()
    assert "Invited on" in content and "Send a new invitation" in content


def test_it_does_not_invite_a_client_who_already_has_a_sign_in(world):
    world.login(world.coach).post(reverse("client_invite", args=[world.client.pk]))
    assert not Invitation.objects.filter(email=world.client.email).exists()


def test_it_says_when_the_client_last_signed_in(world):
    world.login(world.client_user).get(reverse("portal"))
    content = world.login(world.coach).get(reverse("client_detail", args=[world.client.pk]))
    assert b"has signed in" in content.content and b"Last seen" in content.content


def test_it_links_the_coach_but_never_the_admin_to_the_motivation_profile(world):
    profile_url = reverse("profile_detail", args=[world.client.pk])
    coach_page = world.login(world.coach).get(reverse("client_detail", args=[world.client.pk]))
    admin_page = world.login(world.admin).get(reverse("client_detail", args=[world.client.pk]))
    assert profile_url.encode() in coach_page.content
    assert profile_url.encode() not in admin_page.content


def test_it_shows_an_expired_invitation_and_offers_a_new_one(world):
    client = services.client_create(
        organisation=world.org, coach=world.coach, full_name="Eve Expired", email="eve@x.test"
    )
    invitation = services.client_invite(client=client, invited_by=world.coach)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=invitation.created_at)
    content = world.login(world.coach).get(reverse("client_detail", args=[client.pk])).content
    assert b"invitation expired" in content and b"Send a new invitation" in content
    world.login(world.coach).post(reverse("client_invite", args=[client.pk]))
    statuses = set(Invitation.objects.filter(email="eve@x.test").values_list("status", flat=True))
    assert statuses == {"pending", "revoked"}


def test_it_does_not_invite_an_archived_client(world):
    client = services.client_create(
        organisation=world.org, coach=world.coach, full_name="Arlo Archived", email="arlo@x.test"
    )
    services.client_archive(client=client)
    world.login(world.coach).post(reverse("client_invite", args=[client.pk]))
    assert not Invitation.objects.filter(email="arlo@x.test").exists()


def test_it_links_a_client_record_when_its_invitation_is_accepted(world):
    client = services.client_create(
        organisation=world.org, coach=world.coach, full_name="Liam Link", email="liam@x.test"
    )
    invitation = services.client_invite(client=client, invited_by=world.coach)
    user = account_services.invitation_accept(
        invitation=invitation, full_name="Liam Link", password="a-Str0ng-test-passphrase"
    )
    client.refresh_from_db()
    assert client.user == user
    content = world.login(world.coach).get(reverse("client_detail", args=[client.pk])).content
    assert b"has an account" in content


def test_it_tells_an_admin_to_invite_a_coach_when_there_is_none_to_choose(world):
    Membership.objects.filter(role=Role.COACH).update(is_active=False)
    http = world.login(world.admin)
    assert b"Invite a coach" in http.get(reverse("client_create")).content
    assert b"Invite a coach" in http.get(reverse("client_reassign", args=[world.client.pk])).content


def test_it_offers_the_coach_a_one_off_message_to_the_client(world):
    page = world.login(world.coach).get(reverse("client_detail", args=[world.client.pk]))
    html = page.content.decode()
    assert "Write to Cliff" in html
    link = re.search(r'href="([^"]*/outbox/new/[^"]*)"', html).group(1).replace("&amp;", "&")
    form = world.login(world.coach).get(link).content.decode()
    assert 'value="client@harbour.test"' in form and 'value="Cliff Client"' in form
