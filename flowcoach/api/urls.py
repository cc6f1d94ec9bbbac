"""The client API's addresses, under /api/: the interactive docs page at /api/docs/ and
version 1 at /api/v1/. A later, incompatible version gets its own module and prefix; v1
keeps answering as documented in docs/api.md.

Ninja names its URLs inside a namespace (`api_v1:me`, `api_v1:openapi-json`…), which the
authorization matrix walks like any other. Every ninja view is wrapped once here
(`v1.answered`), and the API's root and any unknown address answer a JSON 404."""

from django.urls import include, path, re_path

from . import v1


def _v1_patterns():
    patterns, _app_name, _namespace = v1.api.urls
    wrapped = []
    for pattern in patterns:
        # Ninja's root view only exists so it can reverse its own base path; it raises a
        # 404 that would reach Django's HTML page.
        view = v1.not_found if pattern.name == "api-root" else pattern.callback
        wrapped.append(path(str(pattern.pattern), v1.answered(view), name=pattern.name))
    # Any other address, even one holding a line break (the `path` converter stops there).
    wrapped.append(re_path(r"^(?P<rest>[\s\S]+)$", v1.answered(v1.not_found), name="not_found"))
    return wrapped


urlpatterns = [
    path("docs/", v1.docs, name="api_docs"),
    path("v1/", include((_v1_patterns(), v1.NAMESPACE), namespace=v1.NAMESPACE)),
]
