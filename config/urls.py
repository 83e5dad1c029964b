from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from dashboard import views as dashboard_views

urlpatterns = [
    path("", dashboard_views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("items/", include("decisions.urls")),
    path("meetings/", include("meetings.urls")),
    path("notices/", include("notices.urls")),
    path("mailbox/", include("supervision.urls")),
    path("supervision/", include("supervision.urls_tasks")),
    path("patrols/", include("supervision.urls_patrols")),
    path("branches/", include("supervision.urls_branches")),
    path("reports/supervision/", include("supervision.urls_reports")),
    path("calendar/", include("supervision.urls_calendar")),
    path("dashboard/", include("dashboard.urls")),
    path("reports/party-building/", include("reports.urls")),
    path("search/", include("search.urls")),
    path("notifications/", include("core.urls")),
    path("admin/", admin.site.urls),
    path("rq/", include("django_rq.urls")),
]
