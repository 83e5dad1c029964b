from django.urls import path

from meetings import views
from meetings.views import entry as entry_views
from meetings.views import minutes as minutes_views

app_name = "meetings"
urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("new/", views.meeting_new, name="new"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/act/<slug:action>/", views.meeting_act, name="act"),
    path("<int:pk>/archive.pdf", views.meeting_archive_pdf, name="archive"),
    path("entries/<int:pk>/", entry_views.entry_detail, name="entry"),
    path("entries/<int:pk>/act/<slug:action>/", entry_views.entry_act, name="entry_act"),
    path("minutes/<int:pk>/", minutes_views.minutes_detail, name="minutes"),
    path("minutes/<int:pk>/act/<slug:action>/", minutes_views.minutes_act, name="minutes_act"),
]
