"""Attachments: checked by extension and by their first bytes, kept private, streamed only
to the client's coach and (when shared) the client, and removed from disk with their row."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from flowcoach.clients.models import ProfileAttachment, Visibility
from tests.authz.fixtures_profiles import TINY_PDF, complete_profile

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
ZIP = b"PK\x03\x04" + b"\x00" * 32


@pytest.fixture(autouse=True)
def storage_dir(private_storage) -> Path:
    return private_storage


def files_on_disk(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def upload(world, name, content, kind="assessment_report", visibility=Visibility.COACH_ONLY):
    return world.login(world.coach).post(
        reverse("profile_attachment_upload", args=[world.client.pk]),
        {"kind": kind, "visibility": visibility, "file": SimpleUploadedFile(name, content)},
    )


@pytest.mark.parametrize(
    "kind, name, content, content_type",
    [
        ("assessment_report", "Report.PDF", TINY_PDF, "application/pdf"),
        (
            "handout",
            "slides.pptx",
            ZIP,
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ),
        (
            "handout",
            "notes.docx",
            ZIP,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("handout", "wheel.png", PNG, "image/png"),
        ("handout", "photo.jpeg", JPEG, "image/jpeg"),
    ],
)
def test_it_stores_an_allowed_file_privately(world, storage_dir, kind, name, content, content_type):
    response = upload(world, name, content, kind=kind)
    assert response.status_code == 302
    attachment = ProfileAttachment.objects.get()
    assert attachment.original_name == name
    assert attachment.content_type == content_type
    assert attachment.size == len(content)
    # A random name on disk, never the uploaded one.
    assert name not in attachment.file.name
    assert (storage_dir / attachment.file.name).read_bytes() == content


@pytest.mark.parametrize(
    "kind, name, content, message",
    [
        ("assessment_report", "report.docx", ZIP, "The assessment report must be a PDF file."),
        ("handout", "script.exe", b"MZ\x90\x00", "Attach a PDF, Word (.docx), PowerPoint"),
        ("handout", "noextension", TINY_PDF, "Attach a PDF, Word (.docx), PowerPoint"),
        ("assessment_report", "fake.pdf", b"<html>not a pdf</html>", "not a real PDF"),
        ("handout", "fake.png", JPEG, "not a real PNG"),
        ("handout", "fake.docx", TINY_PDF, "not a real DOCX"),
        ("handout", "empty.pdf", b"", "That file is empty."),
    ],
)
def test_it_refuses_a_wrong_file_and_stores_nothing(
    world, storage_dir, kind, name, content, message
):
    response = upload(world, name, content, kind=kind)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ProfileAttachment.objects.exists()
    assert files_on_disk(storage_dir) == []


def test_it_refuses_a_file_over_the_limit(world, settings, storage_dir):
    settings.FLOWCOACH_MAX_ATTACHMENT_BYTES = 100
    response = upload(world, "big.pdf", TINY_PDF + b"x" * 200)
    assert response.status_code == 400
    assert "the limit is 100\xa0bytes" in response.content.decode()
    assert not ProfileAttachment.objects.exists()
    assert files_on_disk(storage_dir) == []


def test_it_asks_for_a_file_when_none_is_chosen(world, storage_dir):
    response = world.login(world.coach).post(
        reverse("profile_attachment_upload", args=[world.client.pk]),
        {"kind": "handout", "visibility": Visibility.COACH_ONLY},
    )
    assert response.status_code == 400
    assert "Choose a file to upload." in response.content.decode()
    assert not ProfileAttachment.objects.exists()


def test_it_refuses_an_unknown_kind(world, storage_dir):
    response = upload(world, "a.pdf", TINY_PDF, kind="malware")
    assert response.status_code == 400
    assert not ProfileAttachment.objects.exists()
    assert files_on_disk(storage_dir) == []


def shared_and_private(world):
    assert upload(world, "shared.pdf", TINY_PDF, visibility=Visibility.SHARED).status_code == 302
    assert upload(world, "private.pdf", TINY_PDF).status_code == 302
    return (
        ProfileAttachment.objects.get(original_name="shared.pdf"),
        ProfileAttachment.objects.get(original_name="private.pdf"),
    )


def download(world, user, attachment):
    return world.login(user).get(reverse("attachment_download", args=[attachment.pk]))


def test_it_streams_a_download_as_an_attachment_with_its_type(world):
    shared, _ = shared_and_private(world)
    response = download(world, world.coach, shared)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == TINY_PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="shared.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_it_lets_the_client_download_only_shared_files_of_their_own_profile(world):
    shared, private = shared_and_private(world)
    assert download(world, world.client_user, shared).status_code == 200
    assert download(world, world.client_user, private).status_code == 404
    assert download(world, world.other_client_user, shared).status_code == 404


@pytest.mark.parametrize("who", ["admin", "other_admin", "other_coach"])
def test_it_hides_files_from_admins_and_other_coaches(world, who):
    shared, private = shared_and_private(world)
    assert download(world, getattr(world, who), shared).status_code == 404
    assert download(world, getattr(world, who), private).status_code == 404


def test_it_lists_only_shared_files_in_the_portal(world):
    complete_profile(world)
    shared_and_private(world)
    html = world.login(world.client_user).get(reverse("portal")).content.decode()
    assert "shared.pdf" in html
    assert "private.pdf" not in html


def test_it_deletes_the_file_with_its_row(world, storage_dir, django_capture_on_commit_callbacks):
    shared, _ = shared_and_private(world)
    path = storage_dir / shared.file.name
    with django_capture_on_commit_callbacks(execute=True):
        response = world.login(world.coach).post(reverse("attachment_delete", args=[shared.pk]))
    assert response.status_code == 302
    assert not ProfileAttachment.objects.filter(pk=shared.pk).exists()
    assert not path.exists()
    assert len(files_on_disk(storage_dir)) == 1


def test_it_lets_only_the_coach_delete_or_share(world):
    shared, private = shared_and_private(world)
    for user in (world.admin, world.other_coach):
        http = world.login(user)
        assert http.post(reverse("attachment_delete", args=[shared.pk])).status_code == 404
        assert (
            http.post(
                reverse("attachment_visibility", args=[private.pk]),
                {"visibility": Visibility.SHARED},
            ).status_code
            == 404
        )
    # The client may read a shared file but never change it.
    http = world.login(world.client_user)
    assert http.post(reverse("attachment_delete", args=[shared.pk])).status_code == 403
    assert ProfileAttachment.objects.count() == 2
    private.refresh_from_db()
    assert private.visibility == Visibility.COACH_ONLY


def test_it_toggles_who_sees_a_file(world):
    _, private = shared_and_private(world)
    http = world.login(world.coach)
    url = reverse("attachment_visibility", args=[private.pk])
    assert http.post(url, {"visibility": Visibility.SHARED}).status_code == 302
    private.refresh_from_db()
    assert private.visibility == Visibility.SHARED
    assert download(world, world.client_user, private).status_code == 200


def test_it_refuses_a_made_up_visibility(world):
    _, private = shared_and_private(world)
    response = world.login(world.coach).post(
        reverse("attachment_visibility", args=[private.pk]), {"visibility": "everyone"}, follow=True
    )
    assert "Choose who should see the file." in response.content.decode()
    private.refresh_from_db()
    assert private.visibility == Visibility.COACH_ONLY


def test_it_shows_files_on_the_profile_page_with_their_visibility(world):
    shared_and_private(world)
    html = (
        world.login(world.coach)
        .get(reverse("profile_detail", args=[world.client.pk]))
        .content.decode()
    )
    assert "shared.pdf" in html and "private.pdf" in html
    assert "Share with Cliff" in html and "Keep to myself" in html
