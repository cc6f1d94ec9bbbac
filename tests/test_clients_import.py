"""Importing clients from CSV: preview every row, import all or nothing."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from flowcoach.accounts.models import Membership
from flowcoach.clients import csv_import, services
from flowcoach.clients.models import Client, MotivationProfile

HEADER = "full_name,email,company,job_title,phone,time_zone,coach_email\n"


def upload(http, content: bytes | str, *, name="clients.csv", **extra):
    if isinstance(content, str):
        content = content.encode()
    return http.post(reverse("client_import"), {"file": SimpleUploadedFile(name, content), **extra})


def payload_of(response) -> str:
    match = re.search(rb'name="payload" value="([^"]+)"', response.content)
    assert match, response.content.decode()[:2000]
    return match.group(1).decode()


def client_count() -> int:
    return Client.objects.count()


def test_it_previews_then_imports_a_coachs_file_as_their_clients(world):
    http = world.login(world.coach)
    content = (
        HEADER
        + "Ana Alpha,ANA@x.test,Acme,AE,+1 555,America/Chicago,\n"
        + "Ben Beta,ben@x.test,,,,,coach2@harbour.test\n"
    )
    before = client_count()
    preview = upload(http, content)
    assert preview.status_code == 200
    assert b"Import 2 clients" in preview.content
    assert client_count() == before  # a preview writes nothing
    response = http.post(reverse("client_import"), {"payload": payload_of(preview)})
    assert response.status_code == 302
    ana = Client.objects.get(email="ana@x.test")
    ben = Client.objects.get(email="ben@x.test")
    # A coach's rows are always theirs, whatever coach_email says.
    assert ana.coach == ben.coach == world.coach
    assert ana.time_zone == "America/Chicago" and ben.time_zone == world.org.time_zone
    assert MotivationProfile.objects.filter(client__in=[ana, ben]).count() == 2


def test_it_accepts_utf8_with_a_byte_order_mark_and_any_column_order(world):
    content = "\ufeffemail,full_name\r\nzoe@x.test,Zoë Ørsted\r\n".encode()
    preview = upload(world.login(world.coach), content)
    assert b"Import 1 client" in preview.content
    world.login(world.coach).post(reverse("client_import"), {"payload": payload_of(preview)})
    assert Client.objects.get(email="zoe@x.test").full_name == "Zoë Ørsted"


def test_it_lets_an_admin_name_coaches_or_pick_a_default(world):
    http = world.login(world.admin)
    content = HEADER + "Ana,ana@x.test,,,,,COACH2@harbour.test\nBen,ben@x.test,,,,,\n"
    preview = upload(http, content)
    assert b"No coach: fill in coach_email" in preview.content
    assert b'name="payload"' not in preview.content
    preview = upload(http, content, default_coach=world.coach.pk)
    http.post(reverse("client_import"), {"payload": payload_of(preview)})
    assert Client.objects.get(email="ana@x.test").coach == world.other_coach
    assert Client.objects.get(email="ben@x.test").coach == world.coach


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Choose a CSV file"),
        (b"   \n", "That file is empty"),
        (b"full_name,email\n", "header but no clients"),
        (b"\xff\xfe\x00n\x00a\x00m\x00e", "doesn"),
        ("full_name,email\nJosé,jose@x.test\n".encode("latin-1"), "isn"),
        (b"name,mail\nA,a@x.test\n", "missing"),
        (b"full_name,email,shoe_size,notes\nA,a@x.test,9,\n", "shoe_size"),
        (b"full_name,email,email\nA,a@x.test,b@x.test\n", "more than once"),
    ],
    ids=["no-file", "empty", "no-rows", "binary", "not-utf8", "missing", "unknown", "repeat"],
)
def test_it_rejects_files_it_cannot_read_and_imports_nothing(world, content, message):
    before = client_count()
    if content == b"":
        response = world.login(world.coach).post(reverse("client_import"), {})
    else:
        response = upload(world.login(world.coach), content)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert b'name="payload"' not in response.content
    assert client_count() == before


def test_it_names_every_unknown_column(world):
    response = upload(world.login(world.coach), b"full_name,email,shoe_size,Notes\nA,a@x.test,,\n")
    text = response.content.decode()
    assert "Unknown columns" in text and "shoe_size" in text and "notes" in text


def test_it_refuses_a_file_that_is_not_named_csv(world):
    response = upload(world.login(world.coach), HEADER + "A,a@x.test\n", name="clients.xlsx")
    assert "doesn" in response.context["form"].errors["file"][0]
    assert client_count() == 2


def test_it_refuses_a_file_over_2_mb(world):
    big = HEADER + ("A,a@x.test," + "x" * 100 + ",,,,\n") * 21_000
    response = upload(world.login(world.coach), big)
    assert "larger than 2 MB" in response.context["form"].errors["file"][0]
    assert client_count() == 2


def test_it_refuses_more_than_2000_rows(world):
    rows = "".join(f"P{n},p{n}@x.test\n" for n in range(csv_import.MAX_ROWS + 1))
    response = upload(world.login(world.coach), "full_name,email\n" + rows)
    assert "more than 2,000 clients" in response.content.decode()
    assert client_count() == 2


def test_it_accepts_exactly_2000_rows(world):
    rows = "".join(f"P{n},p{n}@x.test\n" for n in range(csv_import.MAX_ROWS))
    http = world.login(world.coach)
    preview = upload(http, "full_name,email\n" + rows)
    assert b"Import 2000 clients" in preview.content
    response = http.post(reverse("client_import"), {"payload": payload_of(preview)})
    assert response.status_code == 302
    assert Client.objects.filter(coach=world.coach).count() == 2001
    assert MotivationProfile.objects.filter(client__email="p1999@x.test").exists()


def test_it_refuses_a_default_coach_who_is_not_a_coach_here(world):
    response = upload(
        world.login(world.admin), "full_name,email\nAna,ana@x.test\n", default_coach=world.admin.pk
    )
    assert response.context["form"].errors["default_coach"]
    assert not Client.objects.filter(email="ana@x.test").exists()


def test_it_explains_each_bad_row_and_imports_nothing(world):
    Membership.objects.filter(user=world.other_coach).update(is_active=False)
    content = (
        HEADER
        + "Good Row,good@x.test,,,,,\n"  # line 2
        + ",noname@x.test,,,,,\n"  # line 3
        + "No Email,,,,,,\n"  # line 4
        + "Bad Email,not-an-email,,,,,\n"  # line 5
        + "Twin,good@X.test,,,,,\n"  # line 6
        + "Taken,CLIENT@harbour.test,,,,,\n"  # line 7
        + "Lost,lost@x.test,,,,Mars/Olympus,\n"  # line 8
        + "Ghost,ghost@x.test,,,,,nobody@x.test\n"  # line 9
        + "Gone,gone@x.test,,,,,coach2@harbour.test\n"  # line 10
        + "Extra,extra@x.test,,,,,,surprise\n"  # line 11
    )
    before = client_count()
    response = upload(world.login(world.admin), content, default_coach=world.coach.pk)
    rows = {row.line: row for row in response.context["rows"]}
    assert rows[2].ok
    assert rows[3].errors == ["full_name is empty."]
    assert rows[4].errors == ["email is empty."]
    assert "isn't a valid email" in rows[5].errors[0]
    assert rows[6].errors == ["This email is also on line 2."]
    assert rows[7].errors == ["A client with this email is already in your organisation."]
    assert "isn't a time zone we know" in rows[8].errors[0]
    assert "No active coach" in rows[9].errors[0]
    assert "No active coach" in rows[10].errors[0]
    assert "more values than the header" in rows[11].errors[0]
    assert b"9 rows need fixing" in response.content
    assert b'name="payload"' not in response.content
    assert client_count() == before


def test_it_checks_again_on_confirm_and_imports_nothing_if_things_changed(world):
    http = world.login(world.coach)
    preview = upload(http, "full_name,email\nAna,ana@x.test\nBen,ben@x.test\n")
    services.client_create(
        organisation=world.org, coach=world.other_coach, full_name="Ben", email="BEN@x.test"
    )
    before = client_count()
    response = http.post(reverse("client_import"), {"payload": payload_of(preview)})
    assert response.status_code == 200
    assert b"Something changed since the preview" in response.content
    assert client_count() == before
    assert not Client.objects.filter(email="ana@x.test").exists()


def test_it_refuses_a_tampered_or_borrowed_preview(world):
    preview = upload(world.login(world.coach), "full_name,email\nAna,ana@x.test\n")
    payload = payload_of(preview)
    for http, token in [
        (world.login(world.coach), payload[:-3] + "abc"),
        (world.login(world.other_coach), payload),
    ]:
        response = http.post(reverse("client_import"), {"payload": token})
        assert b"couldn" in response.content
    assert not Client.objects.filter(email="ana@x.test").exists()


def test_it_offers_an_example_file_that_imports_cleanly(world):
    http = world.login(world.coach)
    response = http.get(reverse("client_import_example"))
    assert response["Content-Type"].startswith("text/csv")
    example = b"".join(response)
    rows = csv_import.read_rows(example)
    assert [values["email"] for _, values in rows] == ["priya@example.com", "tomas@example.com"]
    preview = upload(http, example)
    assert b"Import 2 clients" in preview.content


def test_it_explains_the_columns_on_the_page(world):
    content = world.login(world.coach).get(reverse("client_import")).content.decode()
    for column in csv_import.COLUMNS:
        assert column in content
    assert reverse("client_import_example") in content


def test_it_makes_the_importing_coach_the_default_coach(world):
    from flowcoach.accounts.models import Role

    Membership.objects.create(user=world.admin, organisation=world.org, role=Role.COACH)
    page = world.login(world.admin).get(reverse("client_import")).content.decode()
    assert f'<option value="{world.admin.pk}" selected>' in page


def test_it_keeps_the_chosen_default_coach_when_the_confirmed_file_is_refused(world):
    http = world.login(world.admin)
    preview = upload(http, "full_name,email\nAna,ana@x.test\n", default_coach=world.other_coach.pk)
    services.client_create(
        organisation=world.org, coach=world.coach, full_name="Ana", email="ana@x.test"
    )
    response = http.post(reverse("client_import"), {"payload": payload_of(preview)})
    assert b"Something changed since the preview" in response.content
    assert f'<option value="{world.other_coach.pk}" selected>'.encode() in response.content


def test_it_refuses_a_name_with_a_line_break_inside_quotes(world):
    content = HEADER + '"Eve\r\nBcc: all@harbour.test",eve@x.test,,,,,\n'
    response = upload(world.login(world.coach), content)
    assert "full_name: Keep this to one line" in response.content.decode()
    assert not Client.objects.filter(email="eve@x.test").exists()
