"""A client's story, gathered from the apps that know a part of it, without this floor (or the
page that shows it) importing them.

Apps above register, from their `AppConfig.ready()`:
- the kinds of timeline entry they add (`register_kind`), which become the page's filters;
- a timeline provider per app (`register_timeline`): given the client, the viewer and how
  many entries are wanted, it returns its newest entries of the asked kinds, in a fixed
  number of queries whatever the length of the history;
- an activity provider (`register_activity`): given client ids, the moment of each client's
  latest sign of life it knows of (a session held, a reply, a check-in), in one query. The
  "gone quiet" signal is the newest of these across providers.

The coaching app's own parts (sessions, purpose statements, commitments, emails, profile
changes) are registered by `home`; check-ins and transcripts add theirs the same way
(docs/decisions.md, "The client's story is a registry")."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from .models import Client


@dataclass(frozen=True)
class Part:
    """One piece of an entry's text. A coach-only part is shown to the coach only, marked."""

    label: str
    text: str
    coach_only: bool = False


@dataclass(frozen=True)
class Event:
    at: datetime
    kind: str
    title: str
    parts: tuple[Part, ...] = ()
    # The whole entry is the coach's own (a private file, a private note): marked as such.
    coach_only: bool = False
    url: str = ""
    # Ties at the same moment keep a stable order.
    sort_key: str = ""


@dataclass(frozen=True)
class Kind:
    slug: str
    label: str
    position: int = 100


# provider(*, client, viewer, kinds, limit) -> list[Event]
TimelineProvider = Callable[..., list[Event]]
# provider(*, client_ids) -> {client_id: latest activity}
ActivityProvider = Callable[..., dict[int, datetime]]


@dataclass
class _Registry:
    kinds: dict[str, Kind] = field(default_factory=dict)
    timelines: list[tuple[frozenset[str], TimelineProvider]] = field(default_factory=list)
    activities: list[ActivityProvider] = field(default_factory=list)


_registry = _Registry()


def register_kind(slug: str, label: str, position: int = 100) -> None:
    _registry.kinds[slug] = Kind(slug, label, position)


def register_timeline(kinds: Iterable[str], provider: TimelineProvider) -> None:
    """`kinds` are those the provider may return; it is not asked when the filter leaves
    none of them, so a filtered page costs fewer queries."""
    entry = (frozenset(kinds), provider)
    if all(existing[1] is not provider for existing in _registry.timelines):
        _registry.timelines.append(entry)


def register_activity(provider: ActivityProvider) -> None:
    if provider not in _registry.activities:
        _registry.activities.append(provider)


def kinds() -> list[Kind]:
    return sorted(_registry.kinds.values(), key=lambda kind: (kind.position, kind.label))


def timeline(
    client: Client, *, viewer, wanted: Iterable[str] | None = None, limit: int = 20
) -> tuple[list[Event], bool]:
    """The client's newest `limit` entries of the wanted kinds (all when None), newest first,
    and whether older ones exist. Each provider returns at most `limit + 1` entries, so the
    merge is exact."""
    wanted_set = frozenset(wanted) if wanted else frozenset(_registry.kinds)
    events: list[Event] = []
    for provides, provider in _registry.timelines:
        asked = provides & wanted_set
        if asked:
            events += provider(client=client, viewer=viewer, kinds=asked, limit=limit + 1)
    events.sort(key=lambda event: (event.at, event.sort_key), reverse=True)
    return events[:limit], len(events) > limit


def last_activity(client_ids: Iterable[int]) -> dict[int, datetime]:
    """Each client's latest sign of life across every provider (absent when none)."""
    ids = list(client_ids)
    latest: dict[int, datetime] = {}
    if not ids:
        return latest
    for provider in _registry.activities:
        for client_id, moment in provider(client_ids=ids).items():
            if moment is not None and (client_id not in latest or moment > latest[client_id]):
                latest[client_id] = moment
    return latest
