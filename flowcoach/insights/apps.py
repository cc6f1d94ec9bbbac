from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "flowcoach.insights"
    label = "insights"
    verbose_name = "Figures and progress"

    def ready(self) -> None:
        from flowcoach.accounts import hooks
        from flowcoach.outbox import periodic

        from . import export_jobs, figures

        # Prepared export files are deleted once their days are up, checked once a day.
        periodic.register_daily("export_expiry", lambda now: export_jobs.exports_expire(now))
        # Finished months' figures are kept; the last two are counted again every day, as a
        # late outcome, answer or follow-up can still change them (decision 70).
        periodic.register_daily("figures_recount", figures.recount_recent)
        # A deleted client leaves no trace even in the kept counts, and a client moving to
        # another coach moves their commitments' figures with them: both count again.
        hooks.register(hooks.CLIENT_DELETING, _forget_figures)
        hooks.register(hooks.CLIENT_REASSIGNING, _forget_figures)


def _forget_figures(*, client, **_) -> None:
    from . import figures

    figures.forget(client.organisation_id)
