"""Seams where apps above coaching add what coaching cannot know (the floors rule: coaching
imports none of them). Handlers register through `flowcoach.accounts.hooks` in their
`AppConfig.ready()`; coaching and the portal collect what they return.

- `SESSION_CHECKINS(client, since, until)`: what the client sent between two moments, for the
  coach's preparation view and the runner's review. A handler returns a dict with a
  `template` to include (given the dict as `checkins`) and `count`, or None.
- `PORTAL_CARDS(client, now)`: cards at the top of the client's portal, each a dict with a
  `template` (given the dict as `card`), or None.
- `CLIENT_RECORDS(client)`: extra parts of the client's records download, as
  `{"key": ..., "data": ...}` (JSON-ready).
- `CLIENT_RECORDS_MARKDOWN(records)`: the Markdown lines of those parts, in the client's
  own words.
- `SESSION_PAGE(session, actor)`, `ENGAGEMENT_PAGE(engagement, actor)`,
  `PORTAL_PAGE(client)`: panels on those pages (a transcript report, its consent), each a
  dict `{"template": ..., "context": {...}}` to include, or None.
"""

SESSION_CHECKINS = "coaching.session_checkins"
PORTAL_CARDS = "coaching.portal_cards"
CLIENT_RECORDS = "coaching.client_records"
CLIENT_RECORDS_MARKDOWN = "coaching.client_records_markdown"
SESSION_PAGE = "coaching.session_page"
ENGAGEMENT_PAGE = "coaching.engagement_page"
PORTAL_PAGE = "coaching.portal_page"
