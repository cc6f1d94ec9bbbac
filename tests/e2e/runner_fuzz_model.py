"""What the randomized runner test (runner_fuzz.py) keeps: the model of what the coach typed
last, each tab's own state, the figures a run reports, and the stored state read back from
the database in the model's terms."""

from __future__ import annotations

from dataclasses import dataclass, field

RECORD_FIELDS = {
    "challenge": "#ws-challenge",
    "learned": "#ws-learned",
    "shadow_tendency": "#ws-shadow",
    "growth_need": "#ws-growth",
    "adjustments": "#ws-adjustments",
    "most_helpful": "#wrap-helpful",
    "coach_summary": "#wrap-summary",
    "topic_candidates": "#wrap-topics",
}
STAGES = ["find_out", "learn_about", "own", "work_it"]
TOPICS = ["", "self_concept", "identity_role", "personal_goals", "behavioural_reflection"]
REFLECTIONS = ["", "more", "better", "different"]
WORDS = "amber brisk cedar delta ember fable garnet harbor indigo juniper kestrel lumen".split()
SETTLE_MS = 30_000


class Lost(AssertionError):
    """The stored state differs from what the coach typed last."""


@dataclass
class Note:
    body: str = ""
    marker: str = ""
    topic: str = ""
    reflection: str = ""
    visibility: str = "coach_only"
    flow_stage: str = ""
    segment: int = 0
    deleted: bool = False
    token: str = ""

    def key(self) -> tuple:
        return (self.body, self.marker, self.topic, self.reflection, self.visibility)


@dataclass
class Tab:
    page: object
    stage: str = ""
    draft: int | None = None  # index into Model.notes
    fresh: bool = False
    tags: dict = field(default_factory=lambda: {"topic": "", "reflection": "", "shared": False})
    known: set = field(default_factory=set)  # notes this tab shows
    commitments: bool = True  # the main tab also works on commitments and the clock


@dataclass
class Model:
    notes: list = field(default_factory=list)
    record: dict = field(default_factory=dict)
    outcomes: list = field(default_factory=list)
    purpose: str | None = None
    commitments: list = field(default_factory=list)  # [{"text", "owner", "deleted"}]
    review: dict = field(default_factory=dict)  # uuid -> state
    timing: list = field(default_factory=list)  # [segment, running]
    segments: int = 1

    def segment(self) -> int:
        return self.timing[-1][0] if self.timing else 0

    def running(self) -> bool:
        return bool(self.timing) and self.timing[-1][1]


@dataclass
class Figures:
    edits: int = 0
    reloads: int = 0
    offline: int = 0
    second_tabs: int = 0
    restarts: int = 0
    clashes: int = 0
    completed: bool = False
    log: list = field(default_factory=list)


def stored_state(session) -> dict:
    """The session as the database holds it, in the model's terms."""
    from flowcoach.coaching.models import Commitment, PurposeStatement, SessionNote
    from flowcoach.coaching.runner import services as runner_services

    record = runner_services.record_of(session)
    notes = sorted(
        (n.body, n.marker, n.topic, n.reflection, n.visibility, n.flow_stage, n.segment)
        for n in SessionNote.objects.filter(session=session, deleted_at__isnull=True)
    )
    purpose = PurposeStatement.objects.filter(session=session).first()
    review = {
        str(c.uuid): c.state
        for c in Commitment.objects.filter(client=session.engagement.client).exclude(
            session=session
        )
    }
    return {
        "notes": notes,
        "record": {name: getattr(record, name) for name in RECORD_FIELDS},
        "outcomes": [o["mark"] for o in record.outcomes],
        "purpose": purpose.text if purpose else None,
        "commitments": sorted(
            (c.owner, c.text) for c in Commitment.objects.filter(session=session)
        ),
        "review": review,
        "timing": [[t["segment"], t["ended_at"] is None] for t in record.timing],
    }
