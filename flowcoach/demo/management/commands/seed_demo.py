from datetime import date

from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction

from flowcoach.accounts import services as account_services
from flowcoach.accounts.models import Membership, Organisation, Role, User
from flowcoach.clients import catalogs
from flowcoach.clients.models import (
    AchievementStory,
    Client,
    MotivationProfile,
    ProfileAttachment,
    RankedTheme,
    Theme,
    ThemeCatalog,
    Visibility,
)
from flowcoach.clients.profile_selectors import REVIEWED_BEFORE_S1
from flowcoach.clients.profile_services import profile_share
from flowcoach.demo import data as demo_data
from flowcoach.demo.audit import seed_audit
from flowcoach.demo.checkins import seed_checkins
from flowcoach.demo.engagements import seed_engagements
from flowcoach.demo.exports import seed_exports
from flowcoach.demo.preparation import seed_preparation
from flowcoach.demo.transcripts import seed_transcripts


def _user(spec: dict) -> User:
    user = User.objects.filter(email__iexact=spec["email"]).first()
    if user is None:
        user = account_services.user_create(
            email=spec["email"],
            full_name=spec["full_name"],
            password=demo_data.DEMO_PASSWORD,
            time_zone=spec["time_zone"],
        )
    return user


def _member(user: User, organisation: Organisation, role: str) -> None:
    Membership.objects.get_or_create(user=user, organisation=organisation, role=role)


class Command(BaseCommand):
    help = "Load the demo practice (idempotent: running it again changes nothing)."

    def _sample_attachment(self, org: Organisation) -> None:
        """Adds the sample report once; a rerun finds it by name and leaves it alone."""
        spec = demo_data.SAMPLE_ATTACHMENT
        client = Client.objects.filter(organisation=org, email__iexact=spec["client_email"]).first()
        if client is None or not hasattr(client, "profile"):
            return
        if client.profile.attachments.filter(original_name=spec["original_name"]).exists():
            return
        attachment = ProfileAttachment(
            profile=client.profile,
            kind=ProfileAttachment.Kind.REPORT,
            original_name=spec["original_name"],
            content_type="application/pdf",
            size=len(spec["content"]),
            visibility=Visibility.SHARED,
            uploaded_by=client.coach,
        )
        attachment.file.save("sample.pdf", ContentFile(spec["content"]), save=False)
        try:
            attachment.save()
        except Exception:
            attachment.file.delete(save=False)
            raise

    @transaction.atomic
    def handle(self, *args, **options):
        org = Organisation.objects.filter(slug=demo_data.ORGANISATION["slug"]).first()
        if org is None:
            org, _ = account_services.organisation_create(
                name=demo_data.ORGANISATION["name"],
                admin_email=demo_data.ADMIN["email"],
                admin_full_name=demo_data.ADMIN["full_name"],
                admin_password=demo_data.DEMO_PASSWORD,
                time_zone=demo_data.ORGANISATION["time_zone"],
            )
            org.slug = demo_data.ORGANISATION["slug"]
            org.sending_email = "coaching@demo.flowcoach.test"
            org.save(update_fields=["slug", "sending_email"])
        _member(_user(demo_data.ADMIN), org, Role.ADMIN)
        coaches = [_user(spec) for spec in demo_data.COACHES]
        for coach in coaches:
            _member(coach, org, Role.COACH)

        catalog = ThemeCatalog.objects.filter(
            organisation=org, key=demo_data.DEMO_CATALOG["key"]
        ).first() or catalogs.catalog_import(organisation=org, data=demo_data.DEMO_CATALOG)
        themes = {t.name: t for t in Theme.objects.filter(catalog=catalog)}

        for spec in demo_data.CLIENTS:
            if Client.objects.filter(organisation=org, email__iexact=spec["email"]).exists():
                continue
            client = Client.objects.create(
                organisation=org,
                coach=coaches[spec["coach"]],
                full_name=spec["full_name"],
                email=spec["email"],
                company=spec["company"],
                job_title=spec["job_title"],
                time_zone=spec["time_zone"],
            )
            if spec["portal"]:
                user = _user({**spec, "time_zone": spec["time_zone"]})
                _member(user, org, Role.CLIENT)
                client.user = user
                client.save(update_fields=["user"])
            profile = MotivationProfile.objects.create(
                client=client,
                catalog=catalog,
                assessment_date=date(2026, 9, 14),
                motivational_flow=spec["flow"],
                shadow_side=spec["shadow"],
                blind_spots=spec["blind"],
                foundations_notes=spec["foundations"],
                personal_goals=spec["goals"],
                identity_notes=spec["identity"],
            )
            RankedTheme.objects.bulk_create(
                RankedTheme(profile=profile, theme=themes[name], rank=rank, score=score)
                for rank, (name, score) in enumerate(spec["themes"], start=1)
            )
            AchievementStory.objects.bulk_create(
                AchievementStory(
                    profile=profile,
                    position=position,
                    title=title,
                    trigger=trigger,
                    process=process,
                    outcome=outcome,
                )
                for position, (title, trigger, process, outcome) in enumerate(spec["stories"])
            )
            if spec["email"] != demo_data.NOT_SHARED_YET:
                # A profile starts private; these clients' coaches shared what a client
                # reviews before S1, and their personal goals, the way the profile page does.
                profile_share(profile=profile, parts=[*REVIEWED_BEFORE_S1, "personal_goals"])
            if spec["email"] == demo_data.COACH_ONLY_STORY["client_email"]:
                profile.stories.filter(title=demo_data.COACH_ONLY_STORY["title"]).update(
                    visibility=Visibility.COACH_ONLY
                )
        self._sample_attachment(org)
        seed_engagements(org)
        seed_preparation(org)
        seed_checkins(org)
        seed_transcripts(org)
        seed_audit(org)
        seed_exports(org)
        if not org.retention:
            # Notes of finished coaching kept two years: the retention page shows a setting.
            org.retention = {"session_notes": 730}
            org.save(update_fields=["retention"])
        self.stdout.write(self.style.SUCCESS(f"Demo practice ready: {org.name}."))
        self.stdout.write(f"Demo sign-ins (every password is '{demo_data.DEMO_PASSWORD}'):")
        self.stdout.write(f"  admin   {demo_data.ADMIN['email']}")
        for spec in demo_data.COACHES:
            self.stdout.write(f"  coach   {spec['email']}")
        for spec in demo_data.CLIENTS:
            if spec["portal"]:
                self.stdout.write(f"  client  {spec['email']}")
