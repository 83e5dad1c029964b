from django.urls import path

from meetings import views, views_day, views_live, views_paper, views_study
from meetings.views import entry as entry_views
from meetings.views import minutes as minutes_views

app_name = "meetings"
urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("new/", views.meeting_new, name="new"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/act/<slug:action>/", views.meeting_act, name="act"),
    path("<int:pk>/reschedule/", views_day.meeting_reschedule, name="reschedule"),
    path("<int:pk>/attendance/<slug:action>/", views_day.attendance_act, name="attendance"),
    path("<int:pk>/live/", views_live.meeting_live, name="live"),
    path("<int:pk>/screen/", views_live.meeting_screen, name="screen"),
    path("<int:pk>/screen/live/", views_live.meeting_screen_live, name="screen_live"),
    path("entries/<int:pk>/live/", views_live.entry_live, name="entry_live"),
    path("entries/<int:pk>/ballot/", views_live.entry_ballot, name="entry_ballot"),
    path("<int:pk>/archive.pdf", views_paper.meeting_archive_pdf, name="archive"),
    path("<int:pk>/agenda.pdf", views_paper.meeting_agenda_pdf, name="agenda_pdf"),
    path("<int:pk>/pack.pdf", views_paper.meeting_pack_pdf, name="pack_pdf"),
    path("minutes/<int:pk>/minutes.docx", views_paper.minutes_word, name="minutes_docx"),
    path("resolutions/<int:pk>/resolution.docx", views_paper.resolution_word, name="resolution_docx"),
    path("entries/<int:pk>/", entry_views.entry_detail, name="entry"),
    path("entries/<int:pk>/act/<slug:action>/", entry_views.entry_act, name="entry_act"),
    path("minutes/<int:pk>/", minutes_views.minutes_detail, name="minutes"),
    path("minutes/<int:pk>/act/<slug:action>/", minutes_views.minutes_act, name="minutes_act"),
    path("<int:pk>/study/new/", views_study.study_new, name="study_new"),
    path("study/", views_study.study_year_page, name="study_year"),
    path("study/export.xlsx", views_study.study_year_xlsx, name="study_year_xlsx"),
    path("study/<int:pk>/", views_study.study_page, name="study"),
    path("study/<int:pk>/act/<slug:action>/", views_study.study_act, name="study_act"),
]
