"""The one timing rule for a session's segments, shared by the editor, the importer, the
program page and publishing (docs/programs.md, "Timing", says the same in words)."""

from __future__ import annotations


def planned_minutes(segments: list[dict]) -> tuple[int, int]:
    """The session's length as its segments plan it: their minimums and maximums added up."""
    return (
        sum(s.get("minutes_min", 0) for s in segments),
        sum(s.get("minutes_max", 0) for s in segments),
    )


def segments_fit(minutes_min: int, minutes_max: int, segments: list[dict]) -> str:
    """How the segments fit the session's planned length, the one timing rule of the editor,
    the importer and publishing:

    - "over": at their longest the segments run past the session's maximum. An error:
      nothing with it is saved, imported or published.
    - "under": even at their longest they end before the session's minimum; "empty": no
      segments yet. Work in progress: saved, imported and published with a warning, so a
      program written step by step always exports and imports again.
    - "fits": their maximums add up to somewhere in the session's range.
    """
    if not segments:
        return "empty"
    high = planned_minutes(segments)[1]
    if high > minutes_max:
        return "over"
    if high < minutes_min:
        return "under"
    return "fits"
