"""The whole set-up journey in a real browser, with every email going through a real SMTP
server: an admin invites a coach, the coach accepts from the email, adds a client, fills the
profile, invites the client, and the client signs in with an emailed code and sees what was
shared and nothing that was not."""

import re

import pytest
from playwright.sync_api import expect

from flowcoach.accounts import services as account_services
from tests.conftest import PASSWORD
from tests.e2e.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COACH_ONLY_MARKER = "Private-marker: avoids asking for the close"
SHARED_FLOW = "A puzzle appears, she digs in, and the answer satisfies her."


def last_link(mailbox, path_fragment: str) -> str:
    body = mailbox.messages[-1].get_body(preferencelist=("plain",)).get_content()
    return re.search(rf"(http\S*{path_fragment}\S*)", body).group(1)


def test_it_carries_an_organisation_from_invitation_to_a_client_reading_their_profile(
    live_server, browser, page, smtp_server, settings
):
    settings.SITE_URL = live_server.url
    base = live_server.url
    account_services.organisation_create(
        name="Northlight Coaching",
        admin_email="owner@northlight.test",
        admin_full_name="Olive Owner",
        admin_password=PASSWORD,
        time_zone="Europe/London",
    )

    # The admin invites a coach.
    sign_in(page, base, "owner@northlight.test")
    page.wait_for_url(f"{base}/overview/")
    assert_accessible(page)
    page.get_by_role("link", name="Invite someone").click()
    page.wait_for_url(f"{base}/people/")
    assert_accessible(page)
    invite = page.locator("form", has=page.get_by_role("button", name="Send invitation"))
    invite.get_by_label("Name").fill("Maya Coach")
    invite.get_by_label("Email").fill("maya@northlight.test")
    invite.get_by_label("Role").select_option("coach")
    invite.get_by_role("button", name="Send invitation").click()
    page.get_by_text("Invitation sent to maya@northlight.test").wait_for()
    assert smtp_server.messages[-1]["To"] == "maya@northlight.test"

    # The coach accepts from the email, in a browser of her own.
    coach_context = browser.new_context()
    coach = coach_context.new_page()
    coach.goto(last_link(smtp_server, "/invitations/"))
    assert_accessible(coach)
    coach.get_by_label("Time zone").select_option("Europe/Dublin")
    coach.get_by_label("Password", exact=True).fill(PASSWORD)
    coach.get_by_label("Password again").fill(PASSWORD)
    coach.get_by_role("button", name="Create my account").click()
    coach.wait_for_url(f"{base}/home/")
    assert_accessible(coach)

    # She adds a client.
    coach.get_by_role("link", name="Clients", exact=True).click()
    coach.wait_for_url(f"{base}/clients/")
    coach.get_by_role("link", name="Add client").click()
    coach.get_by_label("Full name").fill("Rosa Client")
    coach.get_by_label("Email").fill("rosa@client.test")
    coach.get_by_label("Company").fill("Harbour Freight")
    coach.get_by_label("Time zone").select_option("Europe/Madrid")
    assert_accessible(coach)
    coach.get_by_role("button", name="Add client").click()
    coach.get_by_role("heading", name="Rosa Client").wait_for()
    assert_accessible(coach)

    # She fills the profile: a theme, three stories, a shared flow, a coach-only blind spot.
    coach.get_by_role("link", name=re.compile("motivation profile")).click()
    assert_accessible(coach)
    coach.get_by_role("link", name=re.compile("Edit", re.I)).first.click()
    coach.locator("#id_themes-0-theme").select_option(label="Helping someone else succeed (People)")
    coach.locator("#id_themes-0-score").fill("8.5")
    coach.locator("#id_themes-0-rank").fill("1")
    for i, title in enumerate(["The regional launch", "Winning the pilot", "The night course"]):
        coach.locator(f"#id_stories-{i}-title").fill(title)
        coach.locator(f"#id_stories-{i}-trigger").fill(f"Trigger of {title}")
        coach.locator(f"#id_stories-{i}-process").fill(f"Process of {title}")
        coach.locator(f"#id_stories-{i}-outcome").fill(f"Outcome of {title}")
    coach.locator("#id_profile-motivational_flow").fill(SHARED_FLOW)
    coach.locator("#id_profile-blind_spots").fill(COACH_ONLY_MARKER)
    assert_accessible(coach)
    coach.get_by_role("button", name="Save profile").click()
    coach.get_by_text("Rosa's profile is saved.").wait_for()
    assert coach.get_by_text(COACH_ONLY_MARKER).is_visible()
    assert coach.get_by_text("Only you").first.is_visible()
    assert_accessible(coach)
    # Everything starts private; she shares what Rosa reviews before S1, in one step.
    assert not coach.get_by_role("checkbox", name="Blind spots").is_checked()
    coach.get_by_role("button", name="Share these with Rosa").click()
    coach.get_by_text("Shared with Rosa. They see it in their portal.").wait_for()

    # She invites Rosa to her portal.
    coach.get_by_role("link", name="Back to Rosa Client").click()
    coach.get_by_role("button", name=re.compile("Invite to their portal")).click()
    coach.get_by_text(re.compile("Invited on")).wait_for()
    assert smtp_server.messages[-1]["To"] == "rosa@client.test"
    coach_context.close()

    # Rosa accepts and sets a password, signs out, then signs in with an emailed code.
    client_context = browser.new_context()
    rosa = client_context.new_page()
    rosa.goto(last_link(smtp_server, "/invitations/"))
    rosa.get_by_label("Password", exact=True).fill(PASSWORD)
    rosa.get_by_label("Password again").fill(PASSWORD)
    rosa.get_by_role("button", name="Create my account").click()
    rosa.wait_for_url(f"{base}/portal/")
    rosa.get_by_role("button", name="Sign out").click()
    rosa.wait_for_url(re.compile(r"/accounts/login/"))

    rosa.get_by_role("link", name="Email me a sign-in code").click()
    rosa.get_by_label("Email").fill("rosa@client.test")
    rosa.get_by_role("button", name=re.compile("code", re.I)).click()
    rosa.wait_for_url(f"{base}/accounts/login/code/confirm/")
    body = smtp_server.messages[-1].get_body(preferencelist=("plain",)).get_content()
    code = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", body, re.M).group(1)
    rosa.get_by_label("Code").fill(code)
    rosa.get_by_role("button", name="Confirm").click()
    rosa.wait_for_url(f"{base}/portal/")

    # The profile is a section she opens.
    rosa.locator("details.portal-profile > summary").click()
    expect(rosa.get_by_text(SHARED_FLOW)).to_be_visible()
    assert rosa.get_by_role("heading", name="The regional launch").is_visible()
    assert rosa.get_by_text("Helping someone else succeed").first.is_visible()
    assert COACH_ONLY_MARKER not in rosa.content()
    assert_accessible(rosa)
    client_context.close()
