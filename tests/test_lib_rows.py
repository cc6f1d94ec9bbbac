"""`lib.rows.load`: a written-out SQL row becomes the same instance `.only()` would give."""

from __future__ import annotations

from flowcoach.coaching.models import CoachingSession
from flowcoach.lib import rows
from flowcoach.programs.models import TemplateVersion


def test_it_puts_each_value_in_its_own_field_whatever_the_column_order(db):
    # Given out of the model's field order (id, then outcomes, then segments), so a loader
    # that trusted the order given would swap the two.
    version = rows.load(
        TemplateVersion,
        ["outcomes", "id", "segments"],
        ['["one outcome"]', 7, '[{"name": "a"}, {"name": "b"}]'],
    )
    assert version.pk == 7
    assert version.segments == [{"name": "a"}, {"name": "b"}]
    assert version.outcomes == ["one outcome"]


def test_it_defers_every_field_it_was_not_given(db):
    session = rows.load(CoachingSession, ["status", "id"], ["planned", 3])
    assert session.pk == 3 and session.status == "planned"
    assert session.get_deferred_fields() >= {"engagement_id", "template_version_id"}
