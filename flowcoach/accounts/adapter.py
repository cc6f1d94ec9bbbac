from allauth.account.adapter import DefaultAccountAdapter


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
