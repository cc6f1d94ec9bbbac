"""First run: an empty install sends its first visitor to /setup/, which creates the
organisation and its admin; the shell command does the same."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from flowcoach.accounts.models import Membership, Organisation, Role, User
from tests.conftest import PASSWORD

SETUP = {
    "organisation_name": "Lighthouse Coaching",
    "full_name": "Lena Lead",
    "email": "lena@lighthouse.test",
    "time_zone": "Europe/Dublin",
    "password1": PASSWORD,
    "password2": PASSWORD,
}


def counts():
    return Organisation.objects.count(), User.objects.count(), Membership.objects.count()


def test_it_sends_the_first_visitor_of_an_empty_install_to_setup(db):
    response = Client().get(reverse("home"))
    assert response["Location"] == reverse("setup")


def test_it_creates_the_organisation_and_its_admin_and_signs_them_in(db):
    http = Client()
    assert http.get(reverse("setup")).status_code == 200
    response = http.post(reverse("setup"), SETUP)
    assert response["Location"] == reverse("people")
    organisation = Organisation.objects.get()
    assert organisation.name == "Lighthouse Coaching"
    assert organisation.time_zone == "Europe/Dublin"
    user = User.objects.get()
    assert (user.email, user.full_name, user.time_zone) == (
        "lena@lighthouse.test",
        "Lena Lead",
        "Europe/Dublin",
    )
    assert user.check_password(PASSWORD)
    assert EmailAddress.objects.get(user=user).verified
    assert Membership.objects.get(user=user).role == Role.ADMIN
    assert http.session["_auth_user_id"] == str(user.pk)
    assert "Your organisation is ready" in http.get(reverse("people")).content.decode()


def test_it_makes_a_practitioner_who_also_coaches_both_admin_and_coach(db):
    http = Client()
    response = http.post(reverse("setup"), {**SETUP, "also_coach": "on"})
    assert response["Location"] == reverse("client_create")
    user = User.objects.get()
    roles = set(Membership.objects.filter(user=user).values_list("role", flat=True))
    assert roles == {Role.ADMIN, Role.COACH}
    assert http.get(reverse("client_create")).status_code == 200


def test_it_closes_setup_once_an_organisation_exists(db):
    Client().post(reverse("setup"), SETUP)
    late = Client()
    assert late.get(reverse("setup")).status_code == 404
    assert late.post(reverse("setup"), {**SETUP, "email": "late@x.test"}).status_code == 404
    assert counts() == (1, 1, 1)
    assert late.get(reverse("home"))["Location"] == reverse("account_login")


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"password2": "not-the-same-at-all"}, "password2", "The two passwords differ."),
        ({"password1": "password", "password2": "password"}, "password1", "too common"),
        ({"password1": "12345678901", "password2": "12345678901"}, "password1", "entirely numeric"),
        ({"email": "lena-at-lighthouse"}, "email", "Enter a valid email address."),
        ({"full_name": ""}, "full_name", "This field is required."),
        ({"organisation_name": ""}, "organisation_name", "This field is required."),
        ({"time_zone": "Nowhere/Atlantis"}, "time_zone", "Select a valid choice."),
    ],
)
def test_it_refuses_bad_setup_input_with_a_message_and_creates_nothing(db, change, field, message):
    http = Client()
    response = http.post(reverse("setup"), {**SETUP, **change})
    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert any(message in error for error in errors), errors
    assert f'id="id_{field}_error"' in response.content.decode()
    assert counts() == (0, 0, 0)
    assert "_auth_user_id" not in http.session


def test_it_creates_an_organisation_from_the_shell(db):
    call_command(
        "create_organisation",
        "Harbour Practice",
        admin_email="Ada@Harbour.test",
        admin_name="Ada Admin",
        time_zone="Europe/London",
        password=PASSWORD,
        stdout=(out := __import__("io").StringIO()),
    )
    assert "Created Harbour Practice with admin ada@harbour.test." in out.getvalue()
    user = User.objects.get()
    assert user.check_password(PASSWORD)
    assert Membership.objects.get(user=user).role == Role.ADMIN
    assert Organisation.objects.get().time_zone == "Europe/London"


def test_it_creates_an_admin_who_also_coaches_from_the_shell(db):
    call_command(
        "create_organisation",
        "Solo Practice",
        "--also-coach",
        admin_email="solo@practice.test",
        admin_name="Sol Solo",
        password=PASSWORD,
        stdout=__import__("io").StringIO(),
    )
    roles = set(Membership.objects.values_list("role", flat=True))
    assert roles == {Role.ADMIN, Role.COACH}


def test_it_creates_an_admin_who_signs_in_by_code_only(db):
    call_command(
        "create_organisation",
        "Code Only",
        admin_email="code@only.test",
        admin_name="Cody Only",
        no_password=True,
        stdout=__import__("io").StringIO(),
    )
    user = User.objects.get()
    assert not user.has_usable_password()
    assert EmailAddress.objects.get(user=user).verified


def test_it_makes_an_existing_person_admin_of_a_second_organisation(db):
    call_command(
        "create_organisation", "First", admin_email="a@b.test", admin_name="A", password=PASSWORD
    )
    call_command(
        "create_organisation", "Second", admin_email="A@B.test", admin_name="A", no_password=True
    )
    assert User.objects.count() == 1
    assert Membership.objects.filter(role=Role.ADMIN).count() == 2
    # The second run did not wipe the password the person already had.
    assert User.objects.get().check_password(PASSWORD)


@pytest.mark.parametrize(
    "args, message",
    [
        (
            {"admin_email": "not-an-email"},
            "--admin-email: 'not-an-email' is not an email address",
        ),
        ({"time_zone": "Moon/Base"}, "--time-zone: 'Moon/Base' is not a known time zone"),
        ({"name": "harbour practice"}, "An organisation named 'harbour practice' already exists."),
        ({"name": "  "}, "The organisation needs a name."),
        ({"admin_name": ""}, "--admin-name: the admin needs a name."),
        (
            {"password": "123"},
            "--password: This password is too short. It must contain at least 8 characters. "
            "This password is too common. This password is entirely numeric.",
        ),
    ],
)
def test_it_refuses_bad_shell_input_with_a_clear_error(db, args, message):
    call_command(
        "create_organisation",
        "Harbour Practice",
        admin_email="ada@harbour.test",
        admin_name="Ada",
        password=PASSWORD,
    )
    before = counts()
    options = {"admin_email": "new@harbour.test", "admin_name": "New", "password": PASSWORD}
    name = args.pop("name", "Another Practice")
    with pytest.raises(CommandError) as error:
        call_command("create_organisation", name, **{**options, **args})
    assert str(error.value) == message
    assert counts() == before
