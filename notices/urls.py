from django.urls import path

from notices import views

app_name = "notices"
urlpatterns = [
    path("", views.notice_list, name="list"),
    path("new/", views.notice_new, name="new"),
    path("unread/", views.unread_badge, name="unread_badge"),
    path("<int:pk>/", views.notice_detail, name="detail"),
    path("<int:pk>/publish/", views.notice_publish, name="publish"),
    path("<int:pk>/receipts/", views.notice_receipts, name="receipts"),
    path("<int:pk>/urge/", views.notice_urge, name="urge"),
]
