"""A URL tree with one broken view, to show the suite's server-error hook at work."""

from django.http import HttpResponse
from django.urls import path


def broken(request):
    raise ZeroDivisionError("a bug in a view")


def unavailable(request):
    return HttpResponse("down", status=503)


urlpatterns = [path("broken/", broken), path("unavailable/", unavailable)]
