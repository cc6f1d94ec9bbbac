"""Importing a transcript on a session, mapping its speakers, the report, the client's consent
and the organisation's retention setting, through the pages a coach and client use."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from flowcoach.clients import services as client_services
from flowcoach.coaching.models import Commitment
from flowcoach.transcripts import services
from flowcoach.transcripts.models import SpeakerMapping, Transcript
from tests.session_helpers import enrol

FIXTURES = Path(__file__).parent / "fixtures" / "transcripts"
DANA, MARCUS = "Dana Whitfield", "Marcus Oyelaran"


@pytest.fixture
def session(world):
    return enrol(world).sessions.order_by("sequence").first()


def upload(http, session, name="T1.zoom.vtt", consent=True, data=None):
    payload = {"file": SimpleUploadedFile(name, data or (FIXTURES / name).read_bytes())}
    if consent:
        payload["consent"] = "on"
    return http.post(reverse("transcript_upload", args=[session.pk]), payload)


def map_speakers(http, transcript, roles):
    names = [row["speaker"] for row in transcript.utterances]
    speakers = list(dict.fromkeys(names))
    data = {f"speaker_{i}": roles[name] for i, name in enumerate(speakers)}
    return http.post(reverse("transcript_speakers", args=[transcript.pk]), data)


def test_it_imports_maps_and_reports_a_session_transcript(world, session):
    http = world.login(world.coach)
    page = http.get(reverse("session_detail", args=[session.pk]))
    assert reverse("transcript_upload", args=[session.pk]) in page.content.decode()

    response = upload(http, session)
    transcript = Transcript.objects.get()
    assert response["Location"] == reverse("transcript_speakers", args=[transcript.pk])
    assert transcript.consent_confirmed_at is not None and transcript.coach == world.coach
    mapping = http.get(response["Location"]).content.decode()
    assert DANA in mapping and MARCUS in mapping

    response = map_speakers(http, transcript, {DANA: "coach", MARCUS: "client"})
    assert response["Location"] == reverse("transcript_report", args=[transcript.pk])
    report = http.get(response["Location"]).content.decode()
    assert "31%" in report  # the coach's share of talk
    assert "within the usual coaching range" in report
    assert "sales-call research" in report
    assert "Ten new first conversations" in report  # a commitment heard
    assert "speech-timeline" in report
    # The session page now links the report.
    page = http.get(reverse("session_detail", args=[session.pk])).content.decode()
    assert reverse("transcript_report", args=[transcript.pk]) in page
    engagement = http.get(reverse("engagement_detail", args=[session.engagement.pk]))
    assert reverse("transcript_report", args=[transcript.pk]) in engagement.content.decode()


def test_it_refuses_an_upload_without_consent_and_stores_nothing(world, session):
    response = upload(world.login(world.coach), session, consent=False)
    assert response.status_code == 400
    assert "client agreed" in response.content.decode()
    assert not Transcript.objects.exists()


def test_it_refuses_a_malformed_file_and_stores_nothing(world, session):
    response = upload(world.login(world.coach), session, name="bad.vtt", data=b"\x00\x01" * 500)
    assert response.status_code == 400
    assert "binary" in response.content.decode()
    assert not Transcript.objects.exists()


def test_it_remembers_the_speakers_per_client_for_the_next_upload(world, session):
    http = world.login(world.coach)
    upload(http, session)
    map_speakers(http, Transcript.objects.get(), {DANA: "coach", MARCUS: "client"})
    assert set(SpeakerMapping.objects.values_list("speaker", "role")) == {
        (DANA, "coach"),
        (MARCUS, "client"),
    }
    second = session.engagement.sessions.order_by("sequence")[1]
    response = upload(http, second, name="T1.srt")
    latest = Transcript.objects.latest("id")
    assert latest.is_analysed
    assert response["Location"] == reverse("transcript_report", args=[latest.pk])


def test_it_insists_on_exactly_one_coach(world, session):
    http = world.login(world.coach)
    upload(http, session)
    transcript = Transcript.objects.get()
    response = map_speakers(http, transcript, {DANA: "client", MARCUS: "client"})
    assert response.status_code == 400
    assert "exactly one speaker as the coach" in response.content.decode()
    transcript.refresh_from_db()
    assert not transcript.is_analysed


def test_it_makes_a_commitment_from_a_heard_one_once(world, session):
    http = world.login(world.coach)
    upload(http, session)
    transcript = Transcript.objects.get()
    map_speakers(http, transcript, {DANA: "coach", MARCUS: "client"})
    transcript.refresh_from_db()
    index = transcript.figures["commitments"][0]["index"]
    for _ in range(2):
        http.post(reverse("transcript_commitment", args=[transcript.pk]), {"index": index})
    commitment = Commitment.objects.get(session=session)
    assert commitment.text.startswith("I'll ring his assistant")
    assert commitment.owner == Commitment.Owner.CLIENT
    report = http.get(reverse("transcript_report", args=[transcript.pk])).content.decode()
    assert "added to the session" in report


def test_it_keeps_only_the_chosen_lines_when_the_organisation_discards_text(world, session):
    services.settings_update(organisation=world.org, discard_text=True)
    http = world.login(world.coach)
    upload(http, session)
    transcript = Transcript.objects.get()
    map_speakers(http, transcript, {DANA: "coach", MARCUS: "client"})
    transcript.refresh_from_db()
    report = http.get(reverse("transcript_report", args=[transcript.pk])).content.decode()
    assert "discard the text" in report
    keep = transcript.figures["commitments"][1]["index"]
    http.post(reverse("transcript_keep", args=[transcript.pk]), {"keep": [str(keep)]})
    transcript.refresh_from_db()
    stored = json.dumps([transcript.utterances, transcript.figures])
    assert "Hi Marcus, good morning" not in stored
    assert "I'll ring his assistant" not in stored  # a commitment not kept
    assert [line["index"] for line in transcript.kept_lines] == [keep]
    assert transcript.figures["coach_questions"]["total"] == 91  # the figures stay
    report = http.get(reverse("transcript_report", args=[transcript.pk])).content.decode()
    assert "Ten new first conversations" in report
    assert "Hi Marcus, good morning" not in report


def test_it_deletes_the_transcript_when_the_client_withdraws_consent(world, session):
    http = world.login(world.coach)
    upload(http, session)
    transcript = Transcript.objects.get()
    map_speakers(http, transcript, {DANA: "coach", MARCUS: "client"})
    client_http = world.login(world.client_user)
    portal = client_http.get(reverse("portal")).content.decode()
    assert reverse("portal_recordings") in portal
    page = client_http.get(reverse("portal_recordings")).content.decode()
    assert "Withdraw consent" in page
    assert "Hi Marcus" not in page  # the client never reads the coach's report
    client_http.post(reverse("portal_recording_withdraw", args=[transcript.pk]))
    assert not Transcript.objects.exists()
    assert http.get(reverse("transcript_report", args=[transcript.pk])).status_code == 404


def test_it_never_shows_transcript_content_to_an_admin_or_another_coach(world, session):
    http = world.login(world.coach)
    upload(http, session)
    transcript = Transcript.objects.get()
    map_speakers(http, transcript, {DANA: "coach", MARCUS: "client"})
    for user in (world.admin, world.other_coach, world.other_client_user):
        other = world.login(user)
        for name in ("transcript_report", "transcript_speakers"):
            response = other.get(reverse(name, args=[transcript.pk]))
            assert response.status_code in (403, 404)
            assert "Hi Marcus" not in response.content.decode()


def test_it_keeps_a_report_with_its_coach_when_the_client_moves(world, session):
    http = world.login(world.coach)
    upload(http, session)
    transcript = Transcript.objects.get()
    map_speakers(http, transcript, {DANA: "coach", MARCUS: "client"})
    client_services.client_reassign(client=world.client, coach=world.other_coach)
    new_coach = world.login(world.other_coach)
    assert new_coach.get(reverse("transcript_report", args=[transcript.pk])).status_code == 404
    page = new_coach.get(reverse("session_detail", args=[session.pk])).content.decode()
    assert reverse("transcript_report", args=[transcript.pk]) not in page
    assert http.get(reverse("transcript_report", args=[transcript.pk])).status_code == 200


def test_it_shows_the_coach_trends_across_sessions(world, session):
    http = world.login(world.coach)
    upload(http, session)
    map_speakers(http, Transcript.objects.get(), {DANA: "coach", MARCUS: "client"})
    second = session.engagement.sessions.order_by("sequence")[1]
    upload(http, second, name="T5.zoom.vtt")
    latest = Transcript.objects.latest("id")
    map_speakers(http, latest, {"Rob Keating": "coach", "Nadia Ferreira": "client"})
    page = http.get(reverse("transcript_trends")).content.decode()
    assert "trend-chart" in page
    assert "31%" in page and "59%" in page


def test_it_lets_an_admin_choose_to_discard_transcript_text(world):
    http = world.login(world.admin)
    response = http.post(reverse("transcript_settings"), {"discard_text": "on"})
    assert response.status_code == 302
    assert services.discards_text(world.org)
    from flowcoach.accounts.models import AuditEntry

    [entry] = AuditEntry.objects.filter(object_type="transcript_settings")
    assert (entry.actor, entry.action, entry.detail) == (
        world.admin,
        "settings_changed",
        {"discard_text": True},
    )


def test_it_prints_the_figures_as_json_from_the_command_line():
    out = StringIO()
    call_command(
        "analyze_transcript",
        str(FIXTURES / "T3.srt"),
        "--coach",
        "Aisha Karimova",
        "--json",
        stdout=out,
    )
    data = json.loads(out.getvalue())
    truth = json.loads((FIXTURES / "T3.truth.json").read_text())
    assert data["speakers"]["Aisha Karimova"]["talk_share"] == pytest.approx(
        truth["speakers"]["Aisha Karimova"]["talk_share"], abs=0.01
    )
    assert data["coach_questions"]["total"] == truth["coach_questions"]["total"]
    for key in ("client_questions", "coach_telling_count", "flow_stages_covered", "mbd_covered"):
        assert key in data
    assert set(data["commitments"][0]) == {"speaker", "start", "text"}
    first = data["utterances"][0]
    assert {
        "speaker",
        "start",
        "end",
        "text",
        "question",
        "question_type",
        "telling",
        "commitment",
    } <= set(first)


def test_it_explains_a_bad_file_on_the_command_line(tmp_path):
    path = tmp_path / "empty.vtt"
    path.write_bytes(b"")
    with pytest.raises(CommandError, match="empty"):
        call_command("analyze_transcript", str(path))
    with pytest.raises(CommandError, match="No speaker called"):
        call_command("analyze_transcript", str(FIXTURES / "T3.srt"), "--coach", "Nobody")


def test_it_compares_time_per_segment_with_the_template_and_the_runner_log(world, session):
    from datetime import timedelta

    from django.utils import timezone

    from flowcoach.coaching.models import SessionRecord
    from flowcoach.coaching.runner import services as runner_services
    from flowcoach.transcripts.report import segments

    runner_services.record_of(session)
    start = timezone.now() - timedelta(hours=2)
    # The runner's log of the fixture session: greet, transition, conversation, flow, wrap.
    bounds = [0, 147, 257, 1312, 2486, 2722]
    timing = [
        {
            "segment": index,
            "started_at": (start + timedelta(seconds=bounds[index])).isoformat(),
            "ended_at": (start + timedelta(seconds=bounds[index + 1])).isoformat(),
        }
        for index in range(5)
    ]
    SessionRecord.objects.filter(session=session).update(timing=timing, started_at=start)
    http = world.login(world.coach)
    upload(http, session)
    transcript = Transcript.objects.get()
    map_speakers(http, transcript, {DANA: "coach", MARCUS: "client"})
    transcript.refresh_from_db()
    rows = segments(transcript)
    template = session.template_version.segments
    assert [row["name"] for row in rows] == [s["name"] for s in template]
    assert rows[2]["actual"] == "17 min 35 s"
    # The coach talks far less in the consultative conversation than in the greeting.
    assert rows[2]["coach_percent"] < rows[0]["coach_percent"]
    page = http.get(reverse("transcript_report", args=[transcript.pk])).content.decode()
    assert "Time per segment" in page and template[2]["name"] in page


def test_it_removes_transcripts_and_speaker_names_with_the_client(world, session):
    http = world.login(world.coach)
    upload(http, session)
    map_speakers(http, Transcript.objects.get(), {DANA: "coach", MARCUS: "client"})
    client_services.client_delete(client=world.client)
    assert not Transcript.objects.exists()
    assert not SpeakerMapping.objects.exists()


def test_it_discards_text_nobody_chose_to_keep_after_a_week(world, session):
    from datetime import timedelta

    from django.utils import timezone

    http = world.login(world.coach)
    upload(http, session)
    transcript = Transcript.objects.get()
    map_speakers(http, transcript, {DANA: "coach", MARCUS: "client"})
    call_command("discard_transcript_text", stdout=StringIO())
    transcript.refresh_from_db()
    assert transcript.text_discarded_at is None  # the organisation keeps text
    services.settings_update(organisation=world.org, discard_text=True)
    assert services.stale_text_discard() == 0  # the coach still has time to choose
    later = timezone.now() + timedelta(days=8)
    assert services.stale_text_discard(now=later) == 1
    transcript.refresh_from_db()
    assert transcript.text_discarded_at is not None
    assert "Hi Marcus" not in json.dumps([transcript.utterances, transcript.figures])


def test_it_imports_word_utf16_and_windows_1252_files_on_the_session_page(world, session):
    import io

    import docx

    document = docx.Document()
    for line in ("Priya Shah   0:01", "How did the week go?", "Leo Brandt   0:05", "Busy, thanks."):
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    text = (FIXTURES / "T3.zoom.vtt").read_text().replace("'", "\u2019")
    files = {
        "teams.docx": buffer.getvalue(),
        "zoom-utf16.vtt": text.encode("utf-16"),
        "zoom-1252.vtt": text.replace("\n", "\r\n").encode("cp1252"),
    }
    http = world.login(world.coach)
    for name, data in files.items():
        response = upload(http, session, name=name, data=data)
        assert response.status_code == 302, (name, response.content[:300])
    stored = {t.filename: t for t in Transcript.objects.all()}
    assert [u["speaker"] for u in stored["teams.docx"].utterances] == ["Priya Shah", "Leo Brandt"]
    assert stored["zoom-utf16.vtt"].utterances == stored["zoom-1252.vtt"].utterances
    assert "I'm" in json.dumps(
        stored["zoom-1252.vtt"].utterances
    )  # typographic quote read as plain


def test_it_lets_retention_take_the_words_and_keep_the_figures(world, session):
    from datetime import timedelta

    from django.utils import timezone

    from flowcoach.accounts import retention

    http = world.login(world.coach)
    upload(http, session)
    transcript = Transcript.objects.get()
    map_speakers(http, transcript, {DANA: "coach", MARCUS: "client"})
    engagement = session.engagement
    engagement.ended_at = timezone.now() - timedelta(days=40)
    engagement.save(update_fields=["ended_at"])
    world.org.retention = {"transcript_words": 30}
    world.org.save()
    assert retention.apply(world.org)["transcript_words"] == 1
    transcript.refresh_from_db()
    assert "Hi Marcus" not in json.dumps([transcript.utterances, transcript.figures])
    assert transcript.figures["coach_questions"]["total"] == 91
    assert retention.apply(world.org)["transcript_words"] == 0
