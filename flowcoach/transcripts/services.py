"""Writes: import a transcript, map its speakers (and analyse), keep lines and discard the
text, turn a found commitment into a real one, delete, and the client's consent withdrawal.

Each runs in one transaction; a file that cannot be read raises `TranscriptError` before
anything is written."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from flowcoach.accounts.audit import settings_changed
from flowcoach.accounts.models import Organisation, User
from flowcoach.coaching.models import CoachingSession, Commitment
from flowcoach.coaching.runner import services as runner_services

from . import analysis
from .models import Role, SpeakerMapping, Transcript, TranscriptSettings
from .parsing import TranscriptError
from .utterances import Utterance

# Commitments made from a transcript get a stable id, so clicking twice makes one.
_COMMITMENT_NAMESPACE = uuid.UUID("6c5d3f2e-6a43-4c1e-9a43-0c3f7d1a2b55")


class MappingError(ValueError):
    """The speaker mapping cannot be used; the message is shown beside the form."""


def _utterances_of(transcript: Transcript) -> list[Utterance]:
    return [
        Utterance(item["speaker"], item["start"], item["end"], item.get("text", ""))
        for item in transcript.utterances
    ]


@transaction.atomic
def transcript_import(
    *, session: CoachingSession, coach: User, data: bytes, filename: str, consent: bool
) -> Transcript:
    if not consent:
        raise TranscriptError(
            "Please confirm that your client agreed to the recording before you upload it."
        )
    fmt, utterances, estimated = analysis.read(data, filename)
    client = session.engagement.client
    transcript = Transcript.objects.create(
        session=session,
        client=client,
        coach=coach,
        filename=filename[:200],
        format=fmt,
        estimated_ends=estimated,
        consent_confirmed_at=timezone.now(),
        utterances=[
            {
                "speaker": u.speaker,
                "start": round(u.start, 3),
                "end": round(u.end, 3),
                "text": u.text,
            }
            for u in utterances
        ],
    )
    remembered = remembered_roles(transcript)
    speakers = {u.speaker for u in utterances}
    if speakers <= set(remembered) and Role.COACH in {remembered[s] for s in speakers}:
        # Every name is known from earlier uploads for this client: analyse straight away.
        _analyse(transcript, {name: remembered[name] for name in speakers})
    return transcript


def remembered_roles(transcript: Transcript) -> dict[str, str]:
    return dict(
        SpeakerMapping.objects.filter(client=transcript.client, coach=transcript.coach).values_list(
            "speaker", "role"
        )
    )


@transaction.atomic
def transcript_map_speakers(*, transcript: Transcript, roles: dict[str, str]) -> Transcript:
    speakers = list(dict.fromkeys(item["speaker"] for item in transcript.utterances))
    if transcript.text_discarded_at:
        raise MappingError("The text of this transcript was discarded, so it can't be remapped.")
    if set(roles) != set(speakers) or not set(roles.values()) <= set(Role.values):
        raise MappingError("Choose who each speaker is.")
    if list(roles.values()).count(Role.COACH) != 1:
        raise MappingError("Choose exactly one speaker as the coach: you.")
    now = timezone.now()
    for speaker, role in roles.items():
        SpeakerMapping.objects.update_or_create(
            client=transcript.client,
            coach=transcript.coach,
            speaker=speaker[:120],
            defaults={"role": role, "updated_at": now},
        )
    _analyse(transcript, roles)
    return transcript


def _analyse(transcript: Transcript, roles: dict[str, str]) -> None:
    utterances = _utterances_of(transcript)
    result = analysis.measure(transcript.format, utterances, transcript.estimated_ends, roles=roles)
    transcript.roles = roles
    transcript.figures = result.figures
    transcript.utterances = [
        {
            "speaker": u.speaker,
            "start": round(u.start, 3),
            "end": round(u.end, 3),
            "text": u.text,
            "question": u.labels["question"],
            "question_type": u.labels["question_type"],
            "telling": u.labels["telling"],
            "commitment": u.labels["commitment"],
            "why": u.labels["why"],
        }
        for u in result.utterances
    ]
    transcript.analysed_at = timezone.now()
    transcript.save(update_fields=["roles", "figures", "utterances", "analysed_at"])


def discards_text(organisation: Organisation) -> bool:
    settings = TranscriptSettings.objects.filter(organisation=organisation).first()
    return bool(settings and settings.discard_text)


@transaction.atomic
def transcript_keep_and_discard(*, transcript: Transcript, keep: list[int]) -> Transcript:
    """Keeps the chosen lines (with their labels) and drops every other word of the text. The
    figures and the who-spoke-when timeline stay; the commitments found lose their words
    unless kept."""
    transcript = Transcript.objects.select_for_update().get(pk=transcript.pk)
    if transcript.text_discarded_at:
        return transcript
    chosen = set(keep)
    transcript.kept_lines = [
        {**item, "index": index}
        for index, item in enumerate(transcript.utterances)
        if index in chosen
    ]
    transcript.utterances = [
        {key: value for key, value in item.items() if key not in ("text", "why")}
        for item in transcript.utterances
    ]
    figures = dict(transcript.figures)
    figures["commitments"] = [
        {key: value for key, value in item.items() if key != "text"}
        for item in figures.get("commitments", [])
    ]
    transcript.figures = figures
    transcript.text_discarded_at = timezone.now()
    transcript.save(update_fields=["kept_lines", "utterances", "figures", "text_discarded_at"])
    return transcript


@transaction.atomic
def commitment_from_transcript(*, transcript: Transcript, index: int) -> Commitment:
    lines = {line["index"]: line for line in transcript.kept_lines}
    if transcript.text_discarded_at is None and 0 <= index < len(transcript.utterances):
        line = transcript.utterances[index]
    elif index in lines:
        line = lines[index]
    else:
        raise MappingError("That line isn't in this transcript any more.")
    owner = (
        Commitment.Owner.COACH
        if transcript.roles.get(line["speaker"]) == Role.COACH
        else Commitment.Owner.CLIENT
    )
    return runner_services.commitment_save(
        session=transcript.session,
        uuid=uuid.uuid5(_COMMITMENT_NAMESPACE, f"{transcript.pk}:{index}"),
        text=line["text"][:2000],
        owner=owner,
    )


def commitment_made(transcript: Transcript, index: int) -> bool:
    return Commitment.objects.filter(
        uuid=uuid.uuid5(_COMMITMENT_NAMESPACE, f"{transcript.pk}:{index}")
    ).exists()


@transaction.atomic
def transcript_delete(*, transcript: Transcript) -> None:
    transcript.delete()


@transaction.atomic
def consent_withdraw(*, transcript: Transcript) -> None:
    """The client withdrew consent: the transcript, its figures and its kept lines go.
    Commitments already agreed stay: they are the client's own, not the recording's."""
    transcript.delete()


@transaction.atomic
def settings_update(
    *, organisation: Organisation, discard_text: bool, by: User | None = None
) -> TranscriptSettings:
    settings, _ = TranscriptSettings.objects.select_for_update().get_or_create(
        organisation=organisation
    )
    changed = settings.discard_text != discard_text
    settings.discard_text = discard_text
    settings.updated_at = timezone.now()
    settings.save()
    if changed:
        settings_changed(
            organisation=organisation,
            by=by,
            object_type="transcript_settings",
            object_id=settings.pk,
            detail={"discard_text": discard_text},
        )
    return settings


# How long a coach has to pick the lines worth keeping when their organisation discards
# transcript text; after that the text goes anyway (docs/operations.md).
KEEP_CHOICE_DAYS = 7


def stale_text_discard(*, now=None, days: int = KEEP_CHOICE_DAYS) -> int:
    """Discards the text of analysed transcripts whose coach did not choose lines within
    `days`, in organisations that discard text. Returns how many were discarded."""
    now = now or timezone.now()
    organisations = TranscriptSettings.objects.filter(discard_text=True).values("organisation")
    stale = Transcript.objects.filter(
        client__organisation__in=organisations,
        text_discarded_at__isnull=True,
        analysed_at__lte=now - timedelta(days=days),
    )
    count = 0
    for transcript in stale:
        transcript_keep_and_discard(transcript=transcript, keep=[])
        count += 1
    return count
