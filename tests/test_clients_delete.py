"""Deleting a client leaves nothing of them behind, and only after their name is typed."""

from __future__ import annotations

from datetime import datetime, timedelta
from importlib import import_module
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.files.base import ContentFile
from django.db import models
from django.urls import reverse
from django.utils import timezone as dj_timezone

from flowcoach.accounts import services as account_services
from flowcoach.accounts.models import Invitation, Membership, Role, User
from flowcoach.clients.access import profile_of
from flowcoach.clients.models import (
    AchievementStory,
    Client,
    MotivationProfile,
    ProfileAttachment,
    RankedTheme,
    Theme,
    ThemeCatalog,
)
from flowcoach.coaching import services as coaching
from flowcoach.coaching.models import CoachingSession, Engagement
from flowcoach.outbox.models import Message
from flowcoach.outbox.services import message_draft
from flowcoach.programs.models import Program

TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)


@pytest.fixture
def storage_dir(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    return tmp_path


def fill_everything(world) -> dict:
    """Gives world.client a full profile, a file, invitations, a sign-in session and 2FA."""
    client = world.client
    profile = profile_of(client)
    profile.blind_spots = "Rushes the close"
    profile.save()
    catalog = ThemeCatalog.objects.create(organisation=world.org, key="del-test", name="Del test")
    theme = Theme.objects.create(catalog=catalog, name="Achieve")
    ranked = RankedTheme.objects.create(profile=profile, theme=theme, rank=1, score=9)
    story = AchievementStory.objects.create(
        profile=profile, title="Won the Acme deal", trigger="t", process="p", outcome="o"
    )
    attachment = ProfileAttachment(
        profile=profile,
        original_name="report.pdf",
        content_type="application/pdf",
        size=4,
        uploaded_by=world.coach,
    )
    attachment.file.save("report.pdf", ContentFile(b"%PDF"), save=True)
    accepted = account_services.invitation_create(
        organisation=world.org,
        invited_by=world.coach,
        email=client.email,
        role=Role.CLIENT,
        full_name=client.full_name,
        payload={"client_id": client.pk},
    )
    accepted.status = Invitation.Status.ACCEPTED
    accepted.accepted_by = world.client_user
    accepted.save()
    Authenticator.objects.create(
        user=world.client_user, type=Authenticator.Type.RECOVERY_CODES, data={"seed": "x"}
    )
    # Coaching keeps more about the client: an engagement, a booked session with its drafted
    # emails, and a digest to the coach that names them.
    engagement = coaching.engagement_enrol(
        client=client,
        program=Program.objects.get(organisation=None, slug="best-seller"),
        coach=world.coach,
    )
    first = engagement.sessions.order_by("sequence").first()
    soon = dj_timezone.now() + timedelta(days=10)
    coaching.session_schedule(
        session=first,
        starts_local=datetime(soon.year, soon.month, soon.day, 11, 0),
        time_zone=client.time_zone,
        duration_minutes=55,
        video_link="https://meet.example.org/room",
    )
    digest = message_draft(
        organisation=world.org,
        key="coach:test:digest",
        kind="digest",
        to_email=world.coach.email,
        subject="Clients to schedule",
        text_body=f"Still to book: {client.full_name}",
        send_after=dj_timezone.now(),
        owner=world.coach,
    )

    messages = list(Message.objects.values_list("pk", flat=True))
    assert digest.pk in messages and len(messages) >= 3
    client_http = world.login(world.client_user)
    client_http.get(reverse("portal"))
    session_key = client_http.session.session_key
    assert Session.objects.filter(session_key=session_key).exists()
    return {
        Client: [client.pk],
        MotivationProfile: [profile.pk],
        RankedTheme: [ranked.pk],
        AchievementStory: [story.pk],
        ProfileAttachment: [attachment.pk],
        Invitation: [accepted.pk],
        User: [world.client_user.pk],
        Membership: list(
            Membership.objects.filter(user=world.client_user).values_list("pk", flat=True)
        ),
        Engagement: [engagement.pk],
        CoachingSession: list(engagement.sessions.values_list("pk", flat=True)),
        Message: messages,
        "file": Path(attachment.file.path),
        "session": session_key,
    }


def traces_of(needles: list[str]) -> list[str]:
    found = []
    for model in apps.get_models():
        fields = [f.attname for f in model._meta.concrete_fields if isinstance(f, TEXT_FIELDS)]
        if not fields:
            continue
        for row in model._default_manager.values_list("pk", *fields):
            text = " ".join(str(value) for value in row[1:]).lower()
            for needle in needles:
                if needle.lower() in text:
                    found.append(f"{model._meta.label} #{row[0]} contains {needle!r}")
    return found


def dangling_references(deleted: dict) -> list[str]:
    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model in deleted:
                ids = deleted[field.related_model]
                if model._default_manager.filter(**{f"{field.attname}__in": ids}).exists():
                    found.append(f"{model._meta.label}.{field.name} points at a deleted row")
    return found


def test_it_deletes_every_trace_of_the_client(
    world, storage_dir, django_capture_on_commit_callbacks
):
    deleted = fill_everything(world)
    file_path = deleted.pop("file")
    session_key = deleted.pop("session")
    assert file_path.exists()
    name, email = world.client.full_name, world.client.email
    assert traces_of([name, email])  # the walk does find them while they exist

    with django_capture_on_commit_callbacks(execute=True):
        response = world.login(world.coach).post(
            reverse("client_delete", args=[world.client.pk]), {"confirm_name": name}
        )

    assert response.status_code == 302
    assert response["Location"] == reverse("client_list")
    assert traces_of([name, email]) == []
    assert dangling_references(deleted) == []
    for model, ids in deleted.items():
        assert not model._default_manager.filter(pk__in=ids).exists(), model
    assert not file_path.exists()
    assert not EmailAddress.objects.filter(email__iexact=email).exists()
    assert not Authenticator.objects.filter(user_id=deleted[User][0]).exists()
    assert not Session.objects.filter(session_key=session_key).exists()
    # Nor its copy in the session cache, which would otherwise still sign them in.
    assert not import_module(settings.SESSION_ENGINE).SessionStore().exists(session_key)
    # Everyone else is untouched.
    assert Client.objects.filter(pk=world.other_client.pk).exists()
    assert User.objects.filter(pk=world.coach.pk).exists()
    assert ThemeCatalog.objects.filter(key="del-test").exists()


def test_it_lets_an_admin_delete_a_client(world):
    response = world.login(world.admin).post(
        reverse("client_delete", args=[world.other_client.pk]),
        {"confirm_name": "Clara Second"},
    )
    assert response.status_code == 302
    assert not Client.objects.filter(pk=world.other_client.pk).exists()


def test_it_keeps_the_sign_in_of_someone_who_belongs_elsewhere(world):
    Membership.objects.create(user=world.client_user, organisation=world.other_org, role="client")
    world.login(world.coach).post(
        reverse("client_delete", args=[world.client.pk]), {"confirm_name": "Cliff Client"}
    )
    assert not Client.objects.filter(pk=world.client.pk).exists()
    assert User.objects.filter(pk=world.client_user.pk).exists()
    assert list(
        Membership.objects.filter(user=world.client_user).values_list("organisation_id", flat=True)
    ) == [world.other_org.pk]


def test_it_deletes_a_client_who_never_had_a_sign_in_and_their_pending_invitation(world):
    client = Client.objects.create(
        organisation=world.org, coach=world.coach, full_name="Pia Pending", email="pia@x.test"
    )
    account_services.invitation_create(
        organisation=world.org,
        invited_by=world.coach,
        email="pia@x.test",
        role=Role.CLIENT,
        payload={"client_id": client.pk},
    )
    users_before = User.objects.count()
    world.login(world.coach).post(
        reverse("client_delete", args=[client.pk]), {"confirm_name": "Pia Pending"}
    )
    assert not Client.objects.filter(pk=client.pk).exists()
    assert not Invitation.objects.filter(email="pia@x.test").exists()
    assert User.objects.count() == users_before


@pytest.mark.parametrize("typed", ["", "cliff client", "Cliff", "Clara Second"])
def test_it_deletes_nothing_when_the_name_does_not_match(world, storage_dir, typed):
    deleted = fill_everything(world)
    file_path = deleted.pop("file")
    deleted.pop("session")
    response = world.login(world.coach).post(
        reverse("client_delete", args=[world.client.pk]), {"confirm_name": typed}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["confirm_name"]
    assert b'role="alert"' in response.content or b'class="error"' in response.content
    for model, ids in deleted.items():
        assert model._default_manager.filter(pk__in=ids).count() == len(ids), model
    assert file_path.exists()


def test_it_shows_the_confirmation_page_first(world):
    content = world.login(world.coach).get(reverse("client_delete", args=[world.client.pk]))
    assert b"Type Cliff Client exactly" in content.content
    assert Client.objects.filter(pk=world.client.pk).exists()
