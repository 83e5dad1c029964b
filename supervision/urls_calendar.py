from django.urls import path, re_path

from supervision.views import calendar as views
from supervision.views import duty_calendar

app_name = "calendar"
urlpatterns = [
    path("", views.calendar_page, name="page"),
    path("token/", views.token_reset, name="token_reset"),
    path("duties/", duty_calendar.duties, name="duties"),
    re_path(r"^(?P<token>[A-Za-z0-9_-]{16,64})\.ics$", views.feed, name="feed"),
]
