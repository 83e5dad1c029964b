from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("基础")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from core.middleware import stamp_new_session

        user_logged_in.connect(stamp_new_session, dispatch_uid="core.stamp_new_session")
