from django.urls import path

from meetings import views, views_paper

app_name = "meetings"
urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("new/", views.meeting_new, name="new"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/act/<slug:action>/", views.meeting_act, name="act"),
    path("<int:pk>/archive.pdf", views.meeting_archive_pdf, name="archive"),
    path("<int:pk>/agenda.pdf", views_paper.meeting_agenda_pdf, name="agenda_pdf"),
    path("<int:pk>/pack.pdf", views_paper.meeting_pack_pdf, name="pack_pdf"),
    path("minutes/<int:pk>/minutes.docx", views_paper.minutes_word, name="minutes_docx"),
    path("resolutions/<int:pk>/resolution.docx", views_paper.resolution_word, name="resolution_docx"),
    path("entries/<int:pk>/", views.entry_detail, name="entry"),
    path("entries/<int:pk>/act/<slug:action>/", views.entry_act, name="entry_act"),
    path("minutes/<int:pk>/", views.minutes_detail, name="minutes"),
    path("minutes/<int:pk>/act/<slug:action>/", views.minutes_act, name="minutes_act"),
]
