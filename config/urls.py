from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import user_passes_test
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django_rq.urls import get_admin_urlpatterns, get_api_urlpatterns

from accounts import views as signin_views
from dashboard import views as dashboard_views
from org import views as account_views


def _job_monitor(view):
    """django-rq's pages (/rq/): for the administrator only, and with the inline scripts and styles
    its templates carry, which Yishi's own pages never need."""
    allowed = user_passes_test(lambda u: u.is_active and u.is_superuser)(view)
    return csp_update({"script-src": [UNSAFE_INLINE], "style-src": [UNSAFE_INLINE]})(allowed)


# The administrator's pages speak the office's language too (Django translates its own labels).
admin.site.site_header = _("决策一件事 · 系统管理")
admin.site.site_title = _("决策一件事 · 系统管理")
admin.site.index_title = _("基础数据与记录")

rq_patterns = (get_api_urlpatterns() + get_admin_urlpatterns(view_wrapper=_job_monitor), "django_rq")

urlpatterns = [
    path("", dashboard_views.home, name="home"),
    path("login/", signin_views.LoginView.as_view(), name="login"),
    path("login/", include("accounts.urls")),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/change/", account_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("password/reset/", account_views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        account_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("password/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("items/", include("decisions.urls")),
    path("meetings/", include("meetings.urls")),
    path("notices/", include("notices.urls")),
    path("mailbox/", include("supervision.urls_mailbox")),
    path("supervision/", include("supervision.urls_tasks")),
    path("patrols/", include("supervision.urls_patrols")),
    path("branches/", include("supervision.urls_branches")),
    path("reports/supervision/", include("supervision.urls_quarterly")),
    path("reports/discipline/", include("supervision.urls_committee")),
    path("calendar/", include("supervision.urls_calendar")),
    path("performance/", include("supervision.urls_performance")),
    path("dashboard/", include("dashboard.urls")),
    path("reports/party-building/", include("reports.urls")),
    path("search/", include("search.urls")),
    path("notifications/", include("core.urls")),
    path("admin/", admin.site.urls),
    path("rq/", include(rq_patterns)),
]
