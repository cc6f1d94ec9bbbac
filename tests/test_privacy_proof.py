"""The privacy proof (issue 6's acceptance): a distinct marker planted in every coach-only
field and note reaches no email, no portal page, no client export and no client API answer,
while the shared content next to them does. The coach's own summary and PDF do show the
markers, so the test can fail.

What counts as coach-only follows docs/decisions.md ("What a client sees of a session"):
notes not marked shared (and shared ones deleted or made private again), every worksheet
field but the adjustments, what was most helpful, the coach's summary, the open-session
topic candidates; profile fields, stories, themes and files whose visibility is coach-only;
the template's coach preparation list, practitioner notes and questions."""

from __future__ import annotations

import io
import re
import uuid
import zipfile
from datetime import timedelta

from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from pypdf import PdfReader

from flowcoach.clients.access import profile_of
from flowcoach.clients.models import (
    AchievementStory,
    ProfileAttachment,
    RankedTheme,
    Theme,
    ThemeCatalog,
    Visibility,
)
from flowcoach.coaching import links
from flowcoach.coaching import services as coaching
from flowcoach.coaching.models import CoachingSession
from flowcoach.coaching.runner import clock as runner_clock
from flowcoach.coaching.runner import services as runner
from flowcoach.outbox import services as outbox
from flowcoach.outbox.models import Message, State
from flowcoach.outbox.worker import run_worker_once
from flowcoach.programs.models import TemplateVersion
from tests.client_view_helpers import commitment, enrol_and_schedule, note

PREFIX = "QZXPRIVATE"
LEAK = re.compile(PREFIX + r"-[a-z0-9-]+")
SHARED = {
    "note": "OKSHARED-note the client may read",
    "purpose": "OKSHARED-purpose I sell so buyers choose well",
    "adjustments": "OKSHARED-adjust name the price early",
    "commitment": "OKSHARED-commit quote in every first call",
    "coach_commitment": "OKSHARED-coachcommit a nudge on Friday",
    "flow": "OKSHARED-flow spots a gap and builds",
    "story": "OKSHARED-story the trade fair",
    "file": "OKSHARED-file-report.pdf",
}


def secret(name: str) -> str:
    return f"{PREFIX}-{name}"


def plant_profile(world) -> None:
    profile = profile_of(world.client)
    catalog = ThemeCatalog.objects.filter(organisation=world.org).order_by("pk").first()
    theme = Theme.objects.create(catalog=catalog, name=secret("theme"))
    profile.catalog = catalog
    profile.themes_visibility = Visibility.COACH_ONLY
    profile.motivational_flow = SHARED["flow"]
    profile.motivational_flow_visibility = Visibility.SHARED
    # Private like every new field; the story below is shared explicitly, as the coach would.
    profile.shadow_side = secret("shadow-side")
    profile.shadow_side_visibility = Visibility.COACH_ONLY
    for name in ("blind_spots", "foundations_notes", "personal_goals", "identity_notes"):
        setattr(profile, name, secret(name.replace("_", "-")))
        setattr(profile, f"{name}_visibility", Visibility.COACH_ONLY)
    profile.save()
    RankedTheme.objects.create(profile=profile, theme=theme, rank=1, score="9.0")
    AchievementStory.objects.create(
        profile=profile,
        title=SHARED["story"],
        trigger="t",
        process="p",
        outcome="o",
        visibility=Visibility.SHARED,
    )
    AchievementStory.objects.create(
        profile=profile,
        position=1,
        title=secret("story-title"),
        trigger=secret("story-trigger"),
        process=secret("story-process"),
        outcome=secret("story-outcome"),
        visibility=Visibility.COACH_ONLY,
    )
    for name, visibility in [
        (SHARED["file"], Visibility.SHARED),
        (f"{secret('file')}.pdf", Visibility.COACH_ONLY),
    ]:
        attachment = ProfileAttachment(
            profile=profile,
            original_name=name,
            content_type="application/pdf",
            size=10,
            visibility=visibility,
            uploaded_by=world.coach,
        )
        attachment.file.name = f"profiles/privacy/{uuid.uuid4().hex}.pdf"
        attachment.save()


def plant_template(session: CoachingSession) -> None:
    """The coach's side of the session's script: preparation list, practitioner notes and
    questions. (A frozen version is changed here only to plant the markers.)"""
    version = session.template_version
    segments = [
        {**segment, "notes": secret(f"practitioner-{i}"), "prompts": [secret(f"question-{i}")]}
        for i, segment in enumerate(version.segments)
    ]
    TemplateVersion.objects.filter(pk=version.pk).update(
        coach_preparation=[secret("coach-prep-1"), secret("coach-prep-2")], segments=segments
    )
    session.template_version.refresh_from_db()


def run_and_complete(world, session: CoachingSession) -> None:
    note(session, secret("plain-note"), segment=0, flow_stage="find_out")
    note(session, secret("energy-note"), segment=1, flow_stage="learn_about", marker="energy")
    note(session, secret("aha-note"), segment=2, flow_stage="own", marker="aha")
    note(session, secret("tagged-note"), topic="personal_goals", reflection="different")
    note(session, SHARED["note"], shared=True, segment=1, flow_stage="work_it")
    deleted = note(session, secret("deleted-shared-note"), shared=True)
    runner.note_delete(session=session, uuid=deleted.uuid, base_version=deleted.version)
    unshared = note(session, secret("unshared-note"), shared=True)
    runner.note_save(
        session=session,
        uuid=unshared.uuid,
        base_version=unshared.version,
        visibility="coach_only",
    )
    runner.purpose_save(session=session, text=SHARED["purpose"])
    runner.record_save(
        session=session,
        base_version=1,
        challenge=secret("challenge"),
        learned=secret("learned"),
        shadow_tendency=secret("shadow-tendency"),
        growth_need=secret("growth-need"),
        most_helpful=secret("most-helpful"),
        coach_summary=secret("coach-summary"),
        topic_candidates=[secret("topic-candidate")],
        adjustments=SHARED["adjustments"],
        outcomes=[{"text": session.template_version.outcomes[0], "mark": "met"}],
    )
    commitment(session, SHARED["commitment"])
    commitment(session, SHARED["coach_commitment"], owner="coach")
    runner_clock.session_complete(session=session)


def send_everything_to_the_client(world) -> None:
    """Approve each email waiting for the client and send it through the real SMTP server."""
    for message in Message.objects.filter(to_email=world.client.email, state=State.DRAFT):
        message = outbox.message_approve(message=message, user=world.coach)
        outbox.message_send_now(message=message, user=world.coach)
    while run_worker_once():
        pass


def client_urls(
    sessions: list[CoachingSession], checkins: list = (), commitments: list = ()
) -> list[str]:
    """Every portal page and API endpoint we serve, for each of the client's sessions (and
    check-ins and commitments, for the check-in pages): a new page with other arguments fails
    here until this test learns to fill them."""
    urls = []

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, inner)
                continue
            assert isinstance(pattern, URLPattern)
            name = namespace + (pattern.name or "")
            module = pattern.callback.__module__
            in_checkins = module.startswith("flowcoach.checkins.")
            # The client's check-in and commitment pages live with the check-ins, one floor
            # beside the portal; they are walked the same way.
            in_portal_app = module.startswith("flowcoach.portal.") or (
                in_checkins and name.startswith("portal")
            )
            # What a client can see lives in one place: a portal page outside it is a leak risk
            # the proof would not walk by module.
            assert in_portal_app or not name.startswith("portal"), f"{name} outside portal/"
            if not (in_portal_app or name.startswith(("portal", "api_"))) or name in (
                "api_v1:not_found",  # any unknown address: a 404 by design
                "api_v1:api-root",
            ):
                continue
            params = set(pattern.pattern.converters)
            if not params:
                urls.append(reverse(name))
            elif params == {"pk"} and in_checkins:
                urls.extend(reverse(name, args=[c.pk]) for c in checkins)
            elif params == {"pk"}:
                urls.extend(reverse(name, args=[s.pk]) for s in sessions)
            elif params == {"commitment_uuid"}:
                urls.extend(reverse(name, args=[c.uuid]) for c in commitments)
            else:
                raise AssertionError(f"{name}: teach the privacy proof its arguments {params}")

    walk(get_resolver().url_patterns)
    return urls


def email_texts(received) -> list[str]:
    texts = []
    for message in received:
        texts.append(str(message["Subject"]))
        for part in message.walk():
            if part.is_multipart():
                continue
            payload = part.get_payload(decode=True) or b""
            texts.append(payload.decode(part.get_content_charset() or "utf-8", "replace"))
    return texts


def readable(response) -> str:
    """A response as text; a ZIP is compressed, so it is read member by member."""
    if response["Content-Type"] == "application/zip":
        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            return "\n".join(archive.read(name).decode() for name in archive.namelist())
    return response.content.decode()


def assert_no_marker(where: str, text: str) -> None:
    leaked = sorted(set(LEAK.findall(text)))
    assert not leaked, f"coach-only content in {where}: {leaked}"


def test_it_keeps_every_coach_only_field_out_of_emails_portal_exports_and_the_api(
    world, smtp_server
):
    plant_profile(world)
    held = enrol_and_schedule(world)
    plant_template(held)
    run_and_complete(world, held)
    upcoming = held.engagement.sessions.get(sequence=2)
    in_three_days = timezone.localtime(timezone.now() + timedelta(days=3)).replace(
        hour=10, minute=0, second=0, microsecond=0, tzinfo=None
    )
    upcoming = coaching.session_schedule(
        session=upcoming,
        starts_local=in_three_days,
        time_zone="Europe/Paris",
        duration_minutes=60,
        video_link="https://video.example.org/room/next",
    )
    send_everything_to_the_client(world)
    sessions = [held, upcoming]

    # --- emails, as stored and as received -------------------------------------------------
    stored = list(Message.objects.filter(to_email=world.client.email))
    assert {m.kind for m in stored} >= {"follow_up", "invitation"}
    assert all(m.state == State.SENT for m in stored), [(m.kind, m.state) for m in stored]
    for message in stored:
        attachments = " ".join(str(a) for a in message.attachments)
        for part in (message.subject, message.text_body, message.html_body, attachments):
            assert_no_marker(f"stored {message.kind} email", part)
    received = smtp_server.messages
    assert len(received) == len(stored)
    assert all(world.client.email in str(m["To"]) for m in received)
    mail = "\n".join(email_texts(received))
    assert_no_marker("emails received by SMTP", mail)
    recap = next(m for m in stored if m.kind == "follow_up")
    for key in ("note", "adjustments", "commitment"):
        assert SHARED[key] in recap.text_body and SHARED[key] in mail, key

    # --- every portal page and API answer --------------------------------------------------
    http = world.login(world.client_user)
    pages = {}
    for url in client_urls(sessions):
        response = http.get(url)
        assert response.status_code in (200, 405), (url, response.status_code)
        pages[url] = readable(response)
    feed = coaching.calendar_feed_of(world.client_user)
    extra = [
        reverse("calendar_settings"),
        reverse("calendar_feed", args=[feed.token]),
        *(reverse(links.ACTIONS[a], args=[links.make_token(upcoming, a)]) for a in links.ACTIONS),
        # coach pages the client may try: refused, and the refusal shows nothing either
        *(
            reverse(name, args=[held.pk])
            for name in ("runner", "runner_summary", "runner_summary_md", "runner_summary_pdf")
        ),
    ]
    for url in extra:
        pages[url] = readable(http.get(url))
    for url, text in pages.items():
        assert_no_marker(url, text)

    portal = pages[reverse("portal")]
    assert SHARED["flow"] in portal and SHARED["story"] in portal and SHARED["file"] in portal
    api_me = pages[reverse("api_v1:me")]
    assert SHARED["flow"] in api_me and SHARED["story"] in api_me and SHARED["file"] in api_me
    api_session = pages[reverse("api_v1:session", args=[held.pk])]
    for key in ("note", "purpose", "adjustments", "commitment", "coach_commitment"):
        assert SHARED[key] in api_session, key
    assert SHARED["commitment"] in pages[reverse("api_v1:commitments")]

    # --- the client's export ---------------------------------------------------------------
    response = http.get(reverse("portal_my_records"))
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        files = {name: archive.read(name).decode() for name in archive.namelist()}
    assert len(files) == 2
    for name, text in files.items():
        assert_no_marker(f"export {name}", text)
        for key in SHARED:
            assert SHARED[key] in text, (name, key)

    # --- control: the markers are there, and the coach sees them all -----------------------
    coach = world.login(world.coach)
    summary = coach.get(reverse("runner_summary", args=[held.pk])).content.decode()
    pdf = coach.get(reverse("runner_summary_pdf", args=[held.pk])).content
    pdf_text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    for name in (
        "plain-note",
        "energy-note",
        "aha-note",
        "challenge",
        "learned",
        "growth-need",
        "most-helpful",
        "coach-summary",
        "topic-candidate",
    ):
        assert secret(name) in summary and secret(name) in pdf_text, name
    profile_page = coach.get(reverse("profile_detail", args=[world.client.pk])).content.decode()
    for name in ("theme", "shadow-side", "personal-goals", "story-title"):
        assert secret(name) in profile_page, name
    prepare = coach.get(reverse("runner_prepare", args=[held.pk])).content.decode()
    assert secret("coach-prep-1") in prepare


def test_it_keeps_coaching_content_off_every_page_an_admin_can_open(world):
    """Admins see counts and dates, never what was said: every page of the authorization
    matrix that answers an admin with 200 is read after the markers are planted."""
    from tests.test_authorization_matrix import all_routes, build_extras

    build_extras(world)
    plant_profile(world)
    held = enrol_and_schedule(world)
    run_and_complete(world, held)
    http = world.login(world.admin)
    read = 0
    for route in all_routes():
        if route.method != "GET" or route.expected("admin") != 200:
            continue
        response = http.get(reverse(route.name, args=route.args(world)))
        assert response.status_code == 200, route.name
        if response.get("Content-Type", "").startswith(("text/", "application/json")):
            text = readable(response)
            if route.name.startswith("catalog"):
                # The planted theme is an entry of the organisation's catalog, which admins
                # keep; only its ranking in the client's profile is coach-only.
                text = text.replace(secret("theme"), "")
            assert_no_marker(f"the admin's {route.name}", text)
            read += 1
    assert read >= 10
    # Control: the same check fails on the coach's summary of that session.
    summary = world.login(world.coach).get(reverse("runner_summary", args=[held.pk]))
    try:
        assert_no_marker("the coach's summary", summary.content.decode())
    except AssertionError:
        pass
    else:
        raise AssertionError("the marker check found nothing where the markers are")
