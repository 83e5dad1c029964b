from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("基础")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django.utils.module_loading import autodiscover_modules

        from core import checks  # noqa: F401 - registers the deployment checks
        from core.middleware import stamp_new_session

        user_logged_in.connect(stamp_new_session, dispatch_uid="core.stamp_new_session")
        # Every app's transition tables (<app>/transitions.py), so the registry, its system checks
        # and docs/architecture.md see them all.
        autodiscover_modules("transitions")
