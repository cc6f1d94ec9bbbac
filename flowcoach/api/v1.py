"""The client API, version 1: read-only JSON about the signed-in client's own coaching, the
seam a mobile app would use (docs/api.md). Built with django-ninja: typed answers
(`schemas.py`), an OpenAPI schema at /api/v1/openapi.json and its page at /api/docs/.

Every answer is JSON, errors included, because an app cannot follow a redirect to a sign-in
page. Who may call is decided in `auth.py`; what a client may read is decided once in
`portal.selectors`, which the portal's export uses too. The endpoints stay thin."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET
from ninja import NinjaAPI, Router
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.docs import Swagger

from flowcoach.accounts import page_cache, policy
from flowcoach.coaching.models import Commitment
from flowcoach.lib import conditional
from flowcoach.portal import selectors as client_selectors

from . import schemas
from .auth import ApiError, ClientSession

API_VERSION = "1"
NAMESPACE = "api_v1"

# What to say about a bad query parameter, by its name; the code is `bad_<name>`.
BAD_INPUT = {"state": f"Unknown state. Use one of: {', '.join(Commitment.State.values)}."}


class ClientAPI(NinjaAPI):
    def get_content_type(self) -> str:
        # JSON is UTF-8 by definition and its media type has no charset parameter.
        return self.renderer.media_type

    def get_openapi_operation_id(self, operation) -> str:
        # Short, stable ids for generated clients: `me`, `sessions`, `session`, `commitments`.
        return operation.view_func.__name__


def _error(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    return api.create_response(
        request, {"error": {"code": code, "message": message}}, status=status
    )


def _not_signed_in_answer(request: HttpRequest) -> HttpResponse:
    response = _error(request, 401, "not_signed_in", "Please sign in first.")
    response["WWW-Authenticate"] = 'Session realm="flowcoach"'
    return response


def _not_allowed(request: HttpRequest, methods: list[str]) -> HttpResponse:
    if "GET" in methods and "HEAD" not in methods:
        methods = [*methods, "HEAD"]
    message = (
        "This API only reads; use GET."
        if set(methods) == {"GET", "HEAD"}
        else f"Use {' or '.join(methods)} here."
    )
    response = _error(request, 405, "method_not_allowed", message)
    response["Allow"] = ", ".join(methods)
    return response


def answered(view: Callable) -> Callable:
    """Wraps every view under /api/v1/: HEAD is answered as GET without its body (ninja
    serves only the methods it is given), a wrong method gets a JSON 405 instead of ninja's
    plain text, and every answer names its version and may not be stored by any cache:
    these are personal records."""

    # A client signed in here (the session) is answered from their own kept copy while
    # nothing in their organisation changed, like the pages (accounts/page_cache.py).
    kept_or_answered = page_cache.cached_page(view)

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method == "HEAD":
            # Answered as GET, then marked HEAD again so the server drops the body.
            request.method = "GET"
            try:
                response = kept_or_answered(request, *args, **kwargs)
            finally:
                request.method = "HEAD"
        else:
            response = kept_or_answered(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = [m.strip() for m in response["Allow"].split(",") if m.strip()]
            response = _not_allowed(request, sorted(allowed))
        response["API-Version"] = API_VERSION
        add_never_cache_headers(response)
        actor = policy.actor_of(request)
        if actor.user is None:
            return response
        # Apps poll these lists; one that kept the last answer sends its tag back and gets a
        # 304 while nothing changed. No shared cache may store the answer (above), and the
        # tag names the caller and their organisation, so it confirms only their own copy.
        return conditional.answer(
            request,
            response,
            scope=(
                "api",
                API_VERSION,
                actor.user.pk,
                actor.organisation and actor.organisation.pk,
                request.get_full_path(),
            ),
        )

    return wrapped


def signed_in_reads(view: Callable) -> Callable:
    """The OpenAPI schema: for anyone signed in (clients build on it, staff may look), read
    only. Not signed in is the same JSON 401 as the endpoints."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method != "GET":
            return _not_allowed(request, ["GET"])
        if policy.actor_of(request).user is None:
            return _not_signed_in_answer(request)
        return view(request, *args, **kwargs)

    return wrapped


def not_found(request: HttpRequest, **kwargs) -> HttpResponse:
    """Any other address under /api/v1/: a JSON 404, not the HTML error page."""
    return _error(request, 404, "not_found", "There is nothing here.")


@require_GET
@policy.login_required
def docs(request: HttpRequest) -> HttpResponse:
    """The interactive page over the schema, for anyone signed in; its "Try it out" calls
    the API with the reader's own session."""
    return api.docs.render_page(request, api)


class ApiDocs(Swagger):
    # Ninja's page with the project's template: the bundled Swagger UI, served by us.
    template = "api/docs.html"


api = ClientAPI(
    title="flowcoach client API",
    version=API_VERSION,
    description=(
        "Read-only JSON about the signed-in client's own coaching: what the client portal "
        "shows. Sign in at /accounts/login/ first; the calls here then use that session."
    ),
    urls_namespace=NAMESPACE,
    auth=[ClientSession()],
    # The page lives at /api/docs/ (flowcoach/api/urls.py), above the versions.
    docs_url=None,
    docs_decorator=signed_in_reads,
    docs=ApiDocs(
        settings={
            # No badge fetched from swagger.io: the page works without the internet.
            "validatorUrl": None,
            "supportedSubmitMethods": ["get"],
            # A link inside each operation's toggle button is a control within a control,
            # which screen readers announce badly (axe: nested-interactive).
            "deepLinking": False,
        }
    ),
)


@api.exception_handler(ApiError)
def _api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return _error(request, exc.status_code, exc.code, exc.message)


@api.exception_handler(AuthenticationError)
def _not_signed_in(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _not_signed_in_answer(request)


@api.exception_handler(HttpError)
def _refused(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # Ninja's own refusals, such as a write without its CSRF token.
    return _error(request, exc.status_code, "refused", str(exc))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", "There is nothing here.")


@api.exception_handler(ValidationError)
def _bad_input(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    first = exc.errors[0]
    name = str(first["loc"][-1])
    message = BAD_INPUT.get(name, f"Please check {name}: {first['msg']}.")
    return _error(request, 400, f"bad_{name}", message)


ERRORS = {401: schemas.Error, 403: schemas.Error}
router = Router(tags=["client"])


@router.get(
    "/me/",
    response={200: schemas.Me, **ERRORS},
    url_name="me",
    summary="The client and their shared profile",
)
def me(request: HttpRequest):
    """The client's details, their coach, and what the coach shared from the motivation
    profile."""
    return {"profile": client_selectors.profile_of(request.auth)}


@router.get(
    "/sessions/",
    response={200: schemas.Sessions, **ERRORS},
    url_name="sessions",
    summary="The client's sessions",
)
def sessions(request: HttpRequest):
    """The client's sessions in every programme, in the order they run."""
    rows = client_selectors.sessions_of(request.auth)
    return {"sessions": [client_selectors.session_brief(s) for s in rows]}


@router.get(
    "/sessions/{int:pk}/",
    response={200: schemas.SessionDetail, 404: schemas.Error, **ERRORS},
    url_name="session",
    summary="One session and its shared summary",
)
def session(request: HttpRequest, pk: int):
    """One session and, once its coach has completed it, its shared summary (`null` before
    that). Another client's session is 404, as if it did not exist."""
    found = client_selectors.get_own_session(request.auth, pk)
    if found is None:
        raise Http404
    return {
        "session": client_selectors.session_brief(found),
        "summary": client_selectors.session_summary(request.auth, found),
    }


@router.get(
    "/commitments/",
    response={200: schemas.Commitments, 400: schemas.Error, **ERRORS},
    url_name="commitments",
    summary="The client's commitments",
)
def commitments(request: HttpRequest, state: Commitment.State | None = None):
    """The client's commitments (theirs and their coach's) from completed sessions, oldest
    first; `state` narrows them."""
    return {"commitments": client_selectors.commitments_of(request.auth, state)}


api.add_router("", router)
