from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """flowcoach is invitation-only: nobody signs up on their own, they accept an invitation
    (or, on a fresh install, create the first organisation)."""

    def is_open_for_signup(self, request) -> bool:
        return False
