"""Places on coaching's pages where apps above coaching show their own part (a transcript
report on the session page, say) without coaching importing them: the floors rule.

An app registers a function in its `AppConfig.ready()`; the page calls `collect`, and each
function returns None or {"template": ..., "context": {...}} to include."""

from __future__ import annotations

from collections.abc import Callable

SESSION_PAGE = "session_page"
ENGAGEMENT_PAGE = "engagement_page"
PORTAL_PAGE = "portal_page"

_panels: dict[str, list[Callable]] = {}


def register(place: str, panel: Callable) -> None:
    if panel not in _panels.setdefault(place, []):
        _panels[place].append(panel)


def collect(place: str, **kwargs) -> list[dict]:
    found = (panel(**kwargs) for panel in _panels.get(place, ()))
    return [item for item in found if item]
