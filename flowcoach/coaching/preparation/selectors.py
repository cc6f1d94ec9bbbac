"""Reads of a session's preparation: the two checklists with their ticks, and the topic
candidates an open session's topic is chosen from. Each is a fixed number of queries, so the
preparation view and the portal stay quick whatever the history."""

from __future__ import annotations

from django.db.models import F

from flowcoach.coaching.models import CoachingSession, PreparationTick, SessionRecord


def _checklist(items: list[str], ticks: dict[int, PreparationTick]) -> dict:
    rows = [
        {"index": index, "text": text, "done": index in ticks, "tick": ticks.get(index)}
        for index, text in enumerate(items)
    ]
    done = sum(1 for row in rows if row["done"])
    return {
        "items": rows,
        "done": done,
        "total": len(rows),
        "progress": progress_text(done, len(rows)),
    }


def progress_text(done: int, total: int) -> str:
    if total and done == total:
        return f"All {total} done" if total > 1 else "Done"
    return f"{done} of {total} done"


def _ticks_by_session(sessions: list[CoachingSession], side: str | None = None) -> dict:
    """{session id: {side: {item: tick}}} in one query."""
    found: dict[int, dict[str, dict[int, PreparationTick]]] = {}
    ticks = PreparationTick.objects.filter(session__in=[s.pk for s in sessions])
    if side is not None:
        ticks = ticks.filter(side=side)
    for tick in ticks:
        found.setdefault(tick.session_id, {}).setdefault(tick.side, {})[tick.item] = tick
    return found


def session_checklists(session: CoachingSession) -> dict:
    """Both lists of one session, for its coach: theirs to tick, the client's to follow."""
    version = session.template_version
    ticks = _ticks_by_session([session]).get(session.pk, {})
    return {
        "coach_list": _checklist(
            list(version.coach_preparation or []), ticks.get(PreparationTick.Side.COACH, {})
        ),
        "client_list": _checklist(
            list(version.client_preparation or []), ticks.get(PreparationTick.Side.CLIENT, {})
        ),
    }


def portal_checklists(sessions: list[CoachingSession]) -> dict[int, dict]:
    """The client's own list for each of their upcoming sessions that asks something of
    them, in one query; the sessions come with their template version already loaded."""
    ticks = _ticks_by_session(sessions, PreparationTick.Side.CLIENT)
    lists = {}
    for session in sessions:
        items = list(session.template_version.client_preparation or [])
        if items:
            lists[session.pk] = _checklist(
                items, ticks.get(session.pk, {}).get(PreparationTick.Side.CLIENT, {})
            )
    return lists


def topic_candidates(session: CoachingSession) -> list[dict]:
    """The topics collected in the client's earlier sessions (any engagement), oldest first,
    each once, with the session that collected it and any other session that already took
    it as its topic. Two queries."""
    client_id = session.engagement.client_id
    rows = (
        SessionRecord.objects.filter(session__engagement__client_id=client_id)
        .exclude(session=session)
        .order_by(F("session__starts_at").asc(nulls_last=True), "session__sequence")
        .values_list("topic_candidates", "session__code")
    )
    chosen = {
        topic.casefold(): code
        for topic, code in CoachingSession.objects.filter(engagement__client_id=client_id)
        .exclude(pk=session.pk)
        .exclude(open_topic="")
        .values_list("open_topic", "code")
    }
    seen, candidates = set(), []
    for topics, code in rows:
        for raw in topics or []:
            text = " ".join(str(raw).split())
            if not text or text.casefold() in seen:
                continue
            seen.add(text.casefold())
            candidates.append(
                {"text": text, "from": code, "chosen_for": chosen.get(text.casefold(), "")}
            )
    return candidates
