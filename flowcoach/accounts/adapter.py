from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context

from flowcoach.lib import redirects


class AccountAdapter(DefaultAccountAdapter):
    """flowcoach is invitation-only: nobody signs up on their own, they accept an invitation
    (or, on a fresh install, create the first organisation)."""

    def is_open_for_signup(self, request) -> bool:
        return False

    def login(self, request, user) -> None:
        """Signing in with the emailed code accepts the invitation of someone who had none
        accepted yet, so an invitation can be taken up by code alone."""
        from . import services
        from .actor import SESSION_KEY

        super().login(request, user)
        accepted = services.invitations_accept_on_sign_in(user=user)
        if accepted:
            request.session[SESSION_KEY] = accepted[0].organisation_id

    def is_safe_url(self, url: str | None) -> bool:
        # allauth also accepts any host in ALLOWED_HOSTS; after signing in we only ever go to
        # a path on this site, as everywhere else (flowcoach/lib/redirects.py).
        return bool(url) and redirects.is_local_path(url, context.request)
