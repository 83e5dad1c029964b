from django.urls import path

from notices import views, views_digest

app_name = "notices"
urlpatterns = [
    path("", views.notice_list, name="list"),
    path("new/", views.notice_new, name="new"),
    path("unread/", views.unread_badge, name="unread_badge"),
    path("<int:pk>/", views.notice_detail, name="detail"),
    path("<int:pk>/publish/", views.notice_publish, name="publish"),
    path("digest/", views_digest.digest_board, name="digest_board"),
    path("digest/publish/", views_digest.digest_publish, name="digest_publish"),
    path("digest/work/<int:pk>/<slug:action>/", views_digest.work_step, name="work_step"),
]
