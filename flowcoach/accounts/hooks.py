"""Lets apps above `accounts` react to its events (an organisation created, an invitation
accepted) without accounts knowing them: the floors rule says accounts imports no app above
it. Handlers are registered in `AppConfig.ready()` and run inside the caller's transaction."""

from collections.abc import Callable

_handlers: dict[str, list[Callable]] = {}


class Refused(Exception):
    """A handler refuses the change it was told about, with a reason fit to show a person.
    Raised inside the caller's transaction, it undoes the whole change."""


def register(event: str, handler: Callable) -> None:
    if handler not in _handlers.setdefault(event, []):
        _handlers[event].append(handler)


def fire(event: str, **kwargs) -> None:
    for handler in _handlers.get(event, ()):
        handler(**kwargs)


def collect(event: str, **kwargs) -> list:
    """Runs every handler and gathers what they return (objections, counts), skipping None."""
    results = (handler(**kwargs) for handler in _handlers.get(event, ()))
    return [result for result in results if result is not None]


ORGANISATION_CREATED = "organisation_created"
# An invitation email has just left (after commit): the outbox lists it as sent.
INVITATION_SENT = "invitation_sent"
# Fired inside the deleting transaction, before the client row goes, so apps above can remove
# what they keep about the client (sessions, emails) and deletion leaves no trace anywhere.
CLIENT_DELETING = "client_deleting"
MEMBERSHIP_SUSPENDING = "membership_suspending"
# A client moving to another coach. Handlers of the first return a reason it cannot happen
# yet (collected before anything changes); handlers of the second move what they keep about
# the client, inside the reassigning transaction, and may raise `Refused`.
CLIENT_REASSIGN_OBJECTIONS = "client_reassign_objections"
CLIENT_REASSIGNING = "client_reassigning"


def invitation_accepted(role: str) -> str:
    return f"invitation_accepted:{role}"
