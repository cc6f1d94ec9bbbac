"""In a real browser: a coach builds a small program in the editor, reorders a segment with
the keyboard and another with the mouse, exports the program and imports the file back as
a copy. axe checks every page on the way."""

import re

import pytest
from playwright.sync_api import expect

from flowcoach.programs.models import Program, TemplateVersion
from tests.conftest import PASSWORD
from tests.e2e.conftest import assert_accessible, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def segment_names(page) -> list[str]:
    return page.locator(".segment-item strong").all_inner_texts()


def add_segment(page, name: str, kind: str, low: int, high: int, check=False) -> None:
    page.get_by_role("link", name="Add a segment").click()
    if check:
        assert_accessible(page)
    page.get_by_label("Name").fill(name)
    page.get_by_label("Kind").select_option(kind)
    page.get_by_label("Minutes: at least").fill(str(low))
    page.get_by_label("Minutes: at most").fill(str(high))
    page.get_by_label("Questions and prompts").fill(f"A first question for {name}?")
    page.get_by_role("button", name="Add the segment").click()
    page.wait_for_url(re.compile(r"/programs/templates/\d+/edit/"))


def test_it_builds_exports_and_imports_a_program(live_server, page, world, tmp_path):
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(world.coach.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(f"{base}/home/")

    page.get_by_role("link", name="Programs", exact=True).click()
    page.wait_for_url(f"{base}/programs/")
    assert_accessible(page)

    page.get_by_role("link", name="New program").click()
    assert_accessible(page)
    page.get_by_label("Title").fill("Discovery calls")
    page.get_by_label("Description").fill("Two weeks of sharper first calls.")
    page.get_by_role("button", name="Create the draft").click()
    page.wait_for_url(re.compile(r"/programs/\d+/templates/new/"))
    assert_accessible(page)

    page.get_by_label("Title").fill("Your first call")
    page.get_by_label("Planned length: at least (minutes)").fill("30")
    page.get_by_label("Planned length: at most (minutes)").fill("35")
    page.locator("#id_pre_email_subject").fill("See you on {{ session_date }}")
    page.locator("#id_pre_email_body").fill("Hi {{ client_first_name }},\nSee you soon.")
    page.locator("#id_follow_email_subject").fill("Thanks, {{ client_first_name }}")
    page.locator("#id_follow_email_body").fill("Your next steps:\n{{ session_commitments }}")
    page.get_by_role("button", name="Add the session").click()
    page.wait_for_url(re.compile(r"/programs/templates/\d+/edit/"))
    assert page.get_by_text("Not planned yet").is_visible()
    assert_accessible(page)

    add_segment(page, "Hello", "greeting", 5, 5, check=True)
    add_segment(page, "Deep dive", "conversation", 20, 25)
    add_segment(page, "Wrap", "wrap", 5, 5)
    assert segment_names(page) == ["Hello", "Deep dive", "Wrap"]
    assert page.get_by_text("Fits:").is_visible()
    assert_accessible(page)

    # Keyboard: focus "Move up Wrap" and press Enter; htmx swaps the list in place and the
    # focus stays on the moved segment, so Enter again keeps moving it.
    page.get_by_role("button", name="Move up Wrap").focus()
    page.keyboard.press("Enter")
    wait_until(page, "document.querySelectorAll('.segment-item strong')[1].textContent === 'Wrap'")
    assert segment_names(page) == ["Hello", "Wrap", "Deep dive"]
    wait_until(page, "document.activeElement.textContent.trim() === 'Move up Wrap'")
    assert page.get_by_role("status").filter(has_text="is now number 2 of 3").count() == 1
    assert_accessible(page)

    # Mouse: drag "Deep dive" onto "Hello".
    page.locator(".segment-item", has_text="Deep dive").drag_to(
        page.locator(".segment-item", has_text="Hello")
    )
    wait_until(
        page, "document.querySelectorAll('.segment-item strong')[0].textContent === 'Deep dive'"
    )
    page.reload()
    assert segment_names(page) == ["Deep dive", "Hello", "Wrap"]

    # A session now uses version 1: editing a segment makes version 2, and says so first.
    TemplateVersion.objects.filter(template__program__slug="discovery-calls").update(in_use=True)
    page.get_by_role("link", name="Edit Hello").click()
    expect(page.get_by_text("your edit creates version 2")).to_be_visible()
    page.get_by_label("Name").fill("Warm hello")
    page.get_by_role("button", name="Save the segment").click()
    page.wait_for_url(re.compile(r"/programs/templates/\d+/edit/"))
    assert segment_names(page) == ["Deep dive", "Warm hello", "Wrap"]

    page.get_by_role("link", name="History").click()
    assert_accessible(page)
    page.get_by_role("button", name="Show what changed").click()
    page.wait_for_url(re.compile(r"/diff/\?from=1&to=2"))
    assert page.get_by_role("cell", name="Removed").count() == 1
    assert page.get_by_role("cell", name="Added").count() == 1
    assert_accessible(page)

    page.get_by_role("link", name="Discovery calls").click()
    page.wait_for_url(re.compile(r"/programs/\d+/$"))
    assert page.get_by_text("Fits:").is_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Preview emails of S1").click()
    expect(page.get_by_text("Thanks, Jordan")).to_be_visible()
    assert_accessible(page)
    page.go_back()

    with page.expect_download() as caught:
        page.get_by_role("link", name="Export YAML").click()
    download = caught.value
    assert download.suggested_filename == "discovery-calls.yaml"
    exported = tmp_path / "discovery-calls.yaml"
    download.save_as(exported)
    assert "name: Warm hello" in exported.read_text("utf-8")

    page.goto(f"{base}/programs/")
    page.get_by_role("link", name="Import a program file").click()
    assert_accessible(page)
    page.get_by_label("Program file (YAML)").set_input_files(str(exported))
    page.get_by_role("button", name="Import").click()
    page.wait_for_url(re.compile(r"/programs/\d+/$"))
    assert page.get_by_text("Imported as your private draft").is_visible()
    assert_accessible(page)

    programs = Program.objects.filter(organisation=world.org).order_by("pk")
    assert [p.slug for p in programs] == ["discovery-calls", "discovery-calls-2"]
    copy = programs[1]
    assert (copy.owner, copy.status) == (world.coach, Program.Status.DRAFT)
    segments = copy.templates.get().latest_version().segments
    assert [s["name"] for s in segments] == ["Deep dive", "Warm hello", "Wrap"]

    # The imported copy is published, then a client is enrolled in it.
    page.get_by_role("button", name="Publish to my organisation").click()
    page.wait_for_url(re.compile(r"/programs/\d+/$"))
    page.goto(f"{base}/clients/{world.client.pk}/")
    page.get_by_role("link", name="Programs and sessions").click()
    assert_accessible(page)
    page.get_by_label("Program", exact=True).select_option(str(copy.pk))
    page.get_by_role("button", name=re.compile("^Enrol")).click()
    page.wait_for_url(re.compile(r"/engagements/\d+/$"))
    assert page.get_by_text("is enrolled in").is_visible()
    assert_accessible(page)
    engagement = world.client.engagements.get()
    assert engagement.program == copy
    assert engagement.sessions.get().template_version.segments == segments
