from django.urls import include, path

from . import views

urlpatterns = [
    path("clients/<int:pk>/enrol/", views.enrol, name="engagement_enrol"),
    path("engagements/<int:pk>/", views.engagement_detail, name="engagement_detail"),
    path("engagements/<int:pk>/stop/", views.engagement_stop, name="engagement_stop"),
    path("sessions/<int:pk>/", views.session_detail, name="session_detail"),
    path("sessions/<int:pk>/schedule/", views.session_schedule, name="session_schedule"),
    path("sessions/<int:pk>/cancel/", views.session_cancel, name="session_cancel"),
    path("sessions/<int:pk>/mark/", views.session_mark, name="session_mark"),
    path("", include("flowcoach.coaching.preparation.urls")),
    path("", include("flowcoach.coaching.runner.urls")),
    path("calendar/", views.calendar_settings, name="calendar_settings"),
    path("calendar/regenerate/", views.calendar_regenerate, name="calendar_regenerate"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("s/<str:token>/confirm/", views.session_link_confirm, name="session_link_confirm"),
    path(
        "s/<str:token>/reschedule/",
        views.session_link_reschedule,
        name="session_link_reschedule",
    ),
    path("s/<str:token>/cancel/", views.session_link_cancel, name="session_link_cancel"),
    path("schedule/nudge/", views.schedule_nudge, name="schedule_nudge"),
]
