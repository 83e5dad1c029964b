"""Accounts: a person changes their own password, or resets a forgotten one by e-mail.

Django's own views, with Chinese templates (templates/registration/). The reset link is built
from SITE_URL, as every link that leaves the server, never from the request's Host header. A
reset asked for an unknown address is answered exactly as for a known one (Django sends nothing
and shows the same page). Both changes are written to the audit log.
"""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy

from core import audit


class PasswordChangeView(auth_views.PasswordChangeView):
    success_url = reverse_lazy("password_change_done")

    def form_valid(self, form):
        response = super().form_valid(form)
        audit.record(actor=self.request.user, verb="account.password_change", target=self.request.user)
        return response


class PasswordResetView(auth_views.PasswordResetView):
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form):
        self.extra_email_context = {"site_url": settings.SITE_URL.rstrip("/")}
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        audit.record(actor=self.user, verb="account.password_reset", target=self.user)
        return response
