from django.urls import path

from notices import views, views_digest, views_meeting

app_name = "notices"
urlpatterns = [
    path("", views.notice_list, name="list"),
    path("new/", views.notice_new, name="new"),
    path("unread/", views.unread_badge, name="unread_badge"),
    path("<int:pk>/", views.notice_detail, name="detail"),
    path("<int:pk>/publish/", views.notice_publish, name="publish"),
    path("<int:pk>/attach/", views_meeting.notice_attach, name="attach"),
    path("attachments/<int:pk>/", views_meeting.attachment_download, name="attachment"),
    path("meeting/<int:meeting_id>/", views_meeting.meeting_notices, name="for_meeting"),
    path("meeting/<int:meeting_id>/read/", views_meeting.meeting_notices_read, name="read_at_meeting"),
    path("<int:pk>/receipts/", views.notice_receipts, name="receipts"),
    path("<int:pk>/urge/", views.notice_urge, name="urge"),
    path("digest/", views_digest.digest_board, name="digest_board"),
    path("digest/publish/", views_digest.digest_publish, name="digest_publish"),
    path("digest/work/<int:pk>/<slug:action>/", views_digest.work_step, name="work_step"),
]
