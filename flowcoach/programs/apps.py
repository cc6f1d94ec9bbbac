from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "flowcoach.programs"
    label = "programs"
    verbose_name = "Programs and session templates"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from .builtins import sync_builtin_programs_after_migrate

        # Built-in programs are shipped data, like content types: every migrate (and every
        # test database flush) brings the database in line with the files in the repository.
        post_migrate.connect(sync_builtin_programs_after_migrate, sender=self)
