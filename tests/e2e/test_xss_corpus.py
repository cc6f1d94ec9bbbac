"""The XSS corpus (issue #11): more than thirty payloads put through every field one person
types and another sees, then every page that shows them opened in Chromium. Any dialog, any
live event handler or script URL in the page, or any Content-Security-Policy violation
(checked by the page fixture) fails the test."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from flowcoach.clients import services as client_services
from flowcoach.clients.access import profile_of
from flowcoach.clients.models import AchievementStory, Theme, Visibility
from flowcoach.coaching.runner import services as runner
from flowcoach.outbox import services as outbox
from flowcoach.outbox.models import Kind, Message
from tests.authz.fixtures_profiles import complete_profile
from tests.client_view_helpers import enrol_and_schedule
from tests.e2e.test_profile_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.test/x.js></SCRIPT>",
    "<img src=x onerror=alert(2)>",
    "<svg onload=alert(3)>",
    "<svg><script>alert(4)</script></svg>",
    "<body onload=alert(5)>",
    "<iframe src=javascript:alert(6)>",
    "<a href=javascript:alert(7)>click</a>",
    "<a href=JaVaScRiPt:alert(8)>mixed case</a>",
    "<a href=&#106;avascript:alert(9)>entity</a>",
    "<a href=&#x6A;avascript&#58;alert(10)>hex entity</a>",
    "<a href=data:text/html;base64,PHNjcmlwdD5hbGVydCgxMSk8L3NjcmlwdD4=>data</a>",
    "<a href=vbscript:msgbox(12)>vbscript</a>",
    "[md link](javascript:alert(13))",
    "[md data](data:text/html,<script>alert(14)</script>)",
    "<javascript:alert(15)>",
    "![img](x onerror=alert(16))",
    '"><script>alert(17)</script>',
    "'><img src=x onerror=alert(18)>",
    '" onmouseover="alert(19)" x="',
    "' onfocus='alert(20)' autofocus '",
    "</textarea><script>alert(21)</script>",
    "</title><script>alert(22)</script>",
    "{{ 7*7 }} {% debug %} ${alert(23)}",
    "{{constructor.constructor('alert(24)')()}}",
    "<details open ontoggle=alert(25)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(26)>",
    "<input autofocus onfocus=alert(27)>",
    "<video><source onerror=alert(28)></video>",
    "<object data=javascript:alert(29)>",
    "<style>@import 'javascript:alert(30)';</style>",
    "<meta http-equiv=refresh content='0;url=javascript:alert(31)'>",
    "<form action=javascript:alert(32)><button>go</button></form>",
    "`${alert(33)}`</script><script>alert(33)</script>",
    "<a href='\x01javascript:alert(34)'>control</a>",
]
assert len(PAYLOADS) >= 30
ALL = "\n".join(PAYLOADS)

LIVE_CODE_CHECK = """() => {
  const bad = [];
  for (const el of document.querySelectorAll("*")) {
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      const value = attr.value.replace(/[\\s\\x00-\\x1f]/g, "").toLowerCase();
      if (name.startsWith("on")) bad.push(`${el.tagName} ${name}`);
      if (["href", "src", "action", "formaction", "data", "xlink:href"].includes(name)
          && /^(javascript|vbscript|data):/.test(value)) bad.push(`${el.tagName} ${name}=${value}`);
    }
    if (el.tagName === "SCRIPT" && !el.src && !["importmap", "application/json"].includes(el.type))
      bad.push("inline script");
    if (["IFRAME", "OBJECT", "EMBED"].includes(el.tagName)) bad.push(el.tagName);
  }
  return bad;
}"""


def plant(world):
    """Each payload in every field one person types and another person sees."""
    session = enrol_and_schedule(world)
    for n, payload in enumerate(PAYLOADS):
        client_services.client_create(
            organisation=world.org,
            coach=world.coach,
            full_name=payload[:150],
            email=f"xss{n}@harbour.test",
            company=payload[:150],
            job_title=payload[:150],
        )
        runner.note_save(
            session=session, uuid=uuid.uuid4(), body=payload, visibility="shared_with_client"
        )
        runner.commitment_save(session=session, uuid=uuid.uuid4(), text=payload)
        outbox.message_draft(
            organisation=world.org,
            key=f"xss:{n}",
            kind=Kind.ONE_OFF,
            to_email=world.client.email,
            to_name="Cliff",
            subject=payload.replace("\n", " ")[:200],
            text_body=payload,
            send_after=session.starts_at,
            owner=world.coach,
        )
    runner.purpose_save(session=session, text=ALL)
    runner.record_save(
        session=session,
        base_version=runner.record_of(session).version,
        challenge=ALL,
        learned=ALL,
        most_helpful=ALL,
        coach_summary=ALL,
        adjustments=ALL,
        topic_candidates=PAYLOADS[:10],
    )
    profile = complete_profile(world)
    for name in ("motivational_flow", "shadow_side", "blind_spots", "personal_goals"):
        setattr(profile, name, ALL)
    profile.save()
    for n, payload in enumerate(PAYLOADS):
        AchievementStory.objects.create(
            profile=profile_of(world.client),
            position=10 + n,
            title=payload[:150],
            trigger=payload,
            process=payload,
            outcome=payload,
            visibility=Visibility.SHARED,
        )
        Theme.objects.create(catalog=profile.catalog, name=f"{n} {payload}"[:80])
    version = session.template_version
    version.title = PAYLOADS[0]
    version.outcomes = PAYLOADS
    version.client_preparation = PAYLOADS
    version.coach_preparation = PAYLOADS
    version.save()
    program = session.engagement.program
    return session, profile, program


def test_it_runs_no_injected_script_on_any_page(world, live_server, page):
    session, profile, _ = plant(world)
    # Pages full of payloads, on a busy machine: more time than the usual ten seconds.
    page.set_default_timeout(60_000)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    coach_pages = [
        "/clients/",
        f"/clients/{world.client.pk}/",
        f"/clients/{world.client.pk}/profile/",
        f"/clients/{world.client.pk}/profile/edit/",
        f"/sessions/{session.pk}/",
        f"/sessions/{session.pk}/prepare/",
        f"/sessions/{session.pk}/run/",
        f"/sessions/{session.pk}/summary/",
        f"/engagements/{session.engagement_id}/",
        "/outbox/",
        reverse("outbox_message", args=[Message.objects.get(key="xss:0").pk]),
        reverse("program_detail", args=[session.engagement.program_id]),
        f"/catalogs/{profile.catalog_id}/",
    ]
    checked = []
    for user, paths in [
        (world.coach, coach_pages),
        (world.client_user, ["/portal/"]),
        (world.admin, ["/clients/", "/people/", f"/catalogs/{profile.catalog_id}/"]),
    ]:
        page.context.clear_cookies()
        sign_in(page, live_server, user)
        for path in paths:
            response = page.goto(live_server.url + path)
            assert response.status == 200, f"{path}: {response.status}"
            page.wait_for_timeout(150)  # let any handler that would fire, fire
            assert page.evaluate(LIVE_CODE_CHECK) == [], path
            checked.append(path)
    assert dialogs == []
    assert len(checked) >= 14
    # The payloads really are on the pages, shown as text.
    page.context.clear_cookies()
    sign_in(page, live_server, world.client_user)
    page.goto(f"{live_server.url}/portal/")
    # (text_content: the portal's profile sits in a section that opens on demand.)
    assert "<script>alert(1)</script>" in page.text_content("main")
