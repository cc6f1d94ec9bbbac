from django.apps import AppConfig


class TranscriptsConfig(AppConfig):
    name = "flowcoach.transcripts"
    label = "transcripts"
    verbose_name = "Transcript coaching reports"

    def ready(self) -> None:
        from flowcoach.accounts import hooks, retention
        from flowcoach.coaching import hooks as seams
        from flowcoach.outbox import periodic

        from . import selectors, services
        from . import story as transcript_story
        from .retention import TRANSCRIPT_WORDS

        retention.register(TRANSCRIPT_WORDS)
        # The coach's timeline of the client shows each of their coaching reports.
        transcript_story.register()
        # Text nobody chose to keep goes a week after analysis, checked once a day.
        periodic.register_daily("transcript_text", lambda now: services.stale_text_discard())

        # Coaching's pages show ours through its panels; coaching never imports us.
        hooks.register(seams.SESSION_PAGE, selectors.session_panel)
        hooks.register(seams.ENGAGEMENT_PAGE, selectors.engagement_panel)
        hooks.register(seams.PORTAL_PAGE, selectors.portal_panel)
