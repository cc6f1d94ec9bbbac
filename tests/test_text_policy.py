"""One length and character policy for every text field a person types (issue #11,
finding 9): one-line fields refuse line breaks and control characters, every field has a
length limit, and NUL never reaches the database."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from django import forms
from django.urls import reverse

import flowcoach
from flowcoach.clients.models import Client, MotivationProfile
from flowcoach.lib import text
from flowcoach.lib.text import TextPolicyMixin
from flowcoach.outbox.models import Message
from tests.test_profile_edit import complete_profile, form_data
from tests.test_profile_edit import post as profile_post


def project_forms() -> list[type]:
    for module in pkgutil.walk_packages(flowcoach.__path__, "flowcoach."):
        if module.name.endswith(("forms", "_forms")):
            importlib.import_module(module.name)
    found, todo = [], [forms.BaseForm]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("flowcoach.") and not cls.__name__.endswith("Mixin"):
            found.append(cls)
    return sorted(set(found), key=lambda c: f"{c.__module__}.{c.__name__}")


def test_it_finds_the_forms_it_checks():
    names = {cls.__name__ for cls in project_forms()}
    assert {"ClientForm", "ProfileForm", "StoryForm", "OneOffForm", "TemplateForm"} <= names


@pytest.mark.parametrize("form_class", project_forms(), ids=lambda c: c.__name__)
def test_it_applies_the_policy_to_every_form_of_ours(form_class):
    assert issubclass(form_class, TextPolicyMixin), (
        f"{form_class.__module__}.{form_class.__name__} must inherit TextPolicyMixin"
    )


class Sample(TextPolicyMixin, forms.Form):
    name = forms.CharField()
    code = forms.CharField(max_length=20)
    notes = forms.CharField(widget=forms.Textarea, required=False)
    password = forms.CharField(widget=forms.PasswordInput, required=False)


@pytest.mark.parametrize(
    "data, field",
    [
        ({"name": "Ann\r\nBcc: x@evil.test"}, "name"),
        ({"name": "Ann\x00"}, "name"),
        ({"name": "Ann\u2028Bee"}, "name"),
        ({"name": "A" * 201}, "name"),
        ({"name": "Ann", "code": "C" * 21}, "code"),
        ({"name": "Ann", "notes": "x\x00y"}, "notes"),
        ({"name": "Ann", "notes": "\x1b[31mred"}, "notes"),
        ({"name": "Ann", "notes": "n" * 20_001}, "notes"),
    ],
    ids=["crlf", "nul", "line separator", "long name", "long code", "nul note", "escape", "1 MB"],
)
def test_it_refuses_what_the_policy_forbids(data, field):
    form = Sample(data)
    assert not form.is_valid()
    assert field in form.errors


def test_it_keeps_line_breaks_and_tabs_in_multi_line_text_and_leaves_passwords_alone():
    form = Sample(
        {"name": "Ann Lee", "code": "S1", "notes": "one\r\ntwo\n\tthree", "password": "p\x01w"}
    )
    assert form.is_valid(), form.errors
    assert Sample().fields["name"].widget.attrs["maxlength"] == str(text.ONE_LINE_MAX)


def test_it_refuses_a_client_name_with_a_line_break(world):
    response = world.login(world.coach).post(
        reverse("client_create"),
        {"full_name": "Eve\r\nBcc: all@harbour.test", "email": "eve@x.test", "time_zone": "UTC"},
    )
    assert response.status_code == 200
    assert text.ONE_LINE_MESSAGE in response.content.decode()
    assert not Client.objects.filter(email="eve@x.test").exists()


def test_it_holds_profile_fields_to_a_length(world):
    profile = complete_profile(world)
    before = profile.motivational_flow
    response = profile_post(world, form_data(profile, motivational_flow="x" * 1_000_000))
    assert response.status_code in {200, 400}
    assert "Keep this to 20000 characters or fewer" in response.content.decode()
    assert MotivationProfile.objects.get(pk=profile.pk).motivational_flow == before


def test_it_holds_a_one_off_email_body_to_a_length(world):
    response = world.login(world.coach).post(
        reverse("outbox_new"),
        {
            "to_email": "client@harbour.test",
            "subject": "Hello",
            "text_body": "y" * 1_000_000,
            "key": "cd" * 16,
            "action": "draft",
        },
    )
    assert response.status_code == 400
    assert Message.objects.count() == 0


def test_it_marks_where_each_form_is_defined():
    # Guards the walk above: forms defined in test modules must not count as the project's.
    assert all(inspect.getmodule(c).__name__.startswith("flowcoach.") for c in project_forms())
