from __future__ import annotations

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from flowcoach.lib.timezones import time_zone_choices


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)


class User(AbstractUser):
    """A person who signs in. Email is the login; there is no username."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=150)
    time_zone = models.CharField(max_length=64, choices=time_zone_choices, default="UTC")

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    objects = UserManager()

    class Meta:
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return (self.full_name or self.email).split(" ")[0]


class Organisation(models.Model):
    """A coaching practice or a sales team: the boundary of every piece of data."""

    name = models.CharField(max_length=150)
    slug = models.SlugField(max_length=80, unique=True)
    time_zone = models.CharField(max_length=64, choices=time_zone_choices, default="UTC")
    sending_email = models.EmailField(
        blank=True, help_text="The From address of emails sent on behalf of this organisation."
    )
    require_mfa = models.BooleanField(
        "require two-factor authentication for coaches and admins", default=False
    )
    # How many days after an engagement ends each kind of coaching content is kept, by the
    # kind's key (`accounts/retention.py`); a kind not named is kept until deleted.
    retention = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    COACH = "coach", "Coach"
    CLIENT = "client", "Client"


class Membership(models.Model):
    """A user's place in one organisation. A person may belong to several."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="membership_unique_role"
            )
        ]
        indexes = [models.Index(fields=["organisation", "role"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} at {self.organisation}"


class Invitation(models.Model):
    """An emailed, signed, expiring invitation to join an organisation in a role."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        REVOKED = "revoked", "Revoked"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField()
    full_name = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=10, choices=Role.choices)
    invited_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="invitations_sent"
    )
    # Data the accepting app needs (for a client: which client record to link).
    payload = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["organisation", "status"])]
        constraints = [
            # One live link per address and role: sending again withdraws the earlier one
            # first, and two sends at the same moment cannot both stay pending.
            models.UniqueConstraint(
                fields=["organisation", "email", "role"],
                condition=models.Q(status="pending"),
                name="invitation_pending_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} as {self.role} ({self.status})"

    @property
    def time_zone(self) -> str:
        """The invited person's zone if the inviter recorded one, else the organisation's."""
        return self.payload.get("time_zone") or self.organisation.time_zone

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at


class AuditAction(models.TextChoices):
    EXPORT = "export", "Exported"
    CLIENT_DELETED = "client_deleted", "Deleted a client"
    COACH_CHANGED = "coach_changed", "Changed a client's coach"
    MEMBER_JOINED = "member_joined", "Joined with a role"
    MEMBER_SUSPENDED = "member_suspended", "Suspended access"
    MEMBER_RESTORED = "member_restored", "Restored access"
    SETTINGS_CHANGED = "settings_changed", "Changed settings"
    NEW_DEVICE = "new_device", "Signed in on a new device"
    RETENTION_APPLIED = "retention_applied", "Removed data past its keeping time"


class AuditEntry(models.Model):
    """One sensitive action: who, what, on which object (by id), when, and counts. Never
    personal content (no names, addresses, notes or answers), so an entry can outlive what it
    points at: deleting a client leaves only an id here. Written by `audit.audit_record`
    only; nothing in the app edits or deletes an entry."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="audit_entries"
    )
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The role the actor acted in, kept when the account is gone.
    actor_role = models.CharField(max_length=10, blank=True)
    action = models.CharField(max_length=24, choices=AuditAction.choices)
    object_type = models.CharField(max_length=24, blank=True)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    # Short codes and counts only: {"format": "pdf"}, {"notes": 12}, {"fields": ["name"]}.
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        indexes = [
            models.Index(fields=["organisation", "-created_at"]),
            models.Index(fields=["organisation", "action", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type} {self.object_id} at {self.created_at:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        # An audit trail that can be rewritten proves nothing.
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("Audit entries are never changed.")
        super().save(*args, **kwargs)

    @property
    def detail_text(self) -> str:
        parts = []
        for key, value in self.detail.items():
            shown = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
            parts.append(f"{key.replace('_', ' ')}: {shown}")
        return "; ".join(parts)

    @property
    def object_text(self) -> str:
        if not self.object_type:
            return ""
        label = self.object_type.replace("_", " ")
        return f"{label} #{self.object_id}" if self.object_id is not None else label


class KnownDevice(models.Model):
    """A browser a person has signed in from, as a keyed hash of its user agent (never the
    agent itself), so a sign-in from a new one can be noted in the audit log."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    fingerprint = models.CharField(max_length=64)
    first_seen = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "fingerprint"], name="known_device_once")
        ]

    def __str__(self) -> str:
        return f"device of user {self.user_id} since {self.first_seen:%Y-%m-%d}"
