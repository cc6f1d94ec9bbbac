from django.urls import path

from . import export_views, portal_views, preparation_views, runner_views, views

urlpatterns = [
    path("portal/", portal_views.portal, name="portal"),
    path(
        "portal/sessions/<int:pk>/preparation/",
        preparation_views.portal_preparation,
        name="portal_preparation",
    ),
    path("portal/my-records.zip", export_views.my_records, name="portal_my_records"),
    path("clients/<int:pk>/enrol/", views.enrol, name="engagement_enrol"),
    path("engagements/<int:pk>/", views.engagement_detail, name="engagement_detail"),
    path("engagements/<int:pk>/stop/", views.engagement_stop, name="engagement_stop"),
    path("sessions/<int:pk>/", views.session_detail, name="session_detail"),
    path("sessions/<int:pk>/schedule/", views.session_schedule, name="session_schedule"),
    path("sessions/<int:pk>/cancel/", views.session_cancel, name="session_cancel"),
    path("sessions/<int:pk>/mark/", views.session_mark, name="session_mark"),
    path("sessions/<int:pk>/move-to-now/", views.session_move_to_now, name="session_move_to_now"),
    path("sessions/<int:pk>/prepare/", runner_views.prepare, name="runner_prepare"),
    path(
        "sessions/<int:pk>/prepare/ticks/",
        preparation_views.prepare_ticks,
        name="runner_prepare_ticks",
    ),
    path("sessions/<int:pk>/topic/", preparation_views.session_topic, name="session_topic"),
    path("sessions/<int:pk>/run/", runner_views.runner, name="runner"),
    path("sessions/<int:pk>/run/notes/", runner_views.runner_notes, name="runner_notes"),
    path("sessions/<int:pk>/run/record/", runner_views.runner_record, name="runner_record"),
    path("sessions/<int:pk>/run/timing/", runner_views.runner_timing, name="runner_timing"),
    path(
        "sessions/<int:pk>/run/commitments/",
        runner_views.runner_commitments,
        name="runner_commitments",
    ),
    path("sessions/<int:pk>/run/complete/", runner_views.runner_complete, name="runner_complete"),
    path("sessions/<int:pk>/summary/", runner_views.summary, name="runner_summary"),
    path("sessions/<int:pk>/summary.md", runner_views.summary_markdown, name="runner_summary_md"),
    path("sessions/<int:pk>/summary.pdf", export_views.summary_as_pdf, name="runner_summary_pdf"),
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
