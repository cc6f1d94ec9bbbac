"""manage.py list_organisations: each organisation's slug (what --organisation takes), name
and member counts, so a self-hoster never has to guess a slug."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db.models import Count, Q

from flowcoach.accounts.models import Organisation, Role


class Command(BaseCommand):
    help = "List organisations with their slugs, for commands that take --organisation."

    def handle(self, *args, **options):
        active = Q(memberships__is_active=True)
        rows = Organisation.objects.annotate(
            coach_count=Count("memberships", filter=active & Q(memberships__role=Role.COACH)),
            client_count=Count("memberships", filter=active & Q(memberships__role=Role.CLIENT)),
        ).order_by("slug")
        if not rows:
            self.stdout.write("No organisation yet: create one with manage.py create_organisation.")
            return
        width = max(len(org.slug) for org in rows)
        for org in rows:
            self.stdout.write(
                f"{org.slug:<{width}}  {org.name} ({org.coach_count} coach"
                f"{'es' * (org.coach_count != 1)}, {org.client_count} client{'s' * (org.client_count != 1)})"
            )
