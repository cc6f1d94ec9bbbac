import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "flowcoach.settings")
application = get_wsgi_application()

if os.environ.get("FLOWCOACH_BENCH_CEILING") == "1":
    # bench/load.py only: the server's own ceiling, answered before Django (no middleware, no
    # database, no template), so each page's figure can be read as a share of it.
    _django = application

    def application(environ, start_response):  # noqa: F811
        if environ.get("PATH_INFO") == "/__ceiling__":
            start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
            return [b"ok"]
        return _django(environ, start_response)
