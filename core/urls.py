from django.urls import path

from core import views

urlpatterns = [
    path("", views.notification_list, name="notifications"),
    path("read-all/", views.notification_read_all, name="notifications_read_all"),
    path("<int:pk>/open/", views.notification_open, name="notification_open"),
    path("settings/", views.notification_settings, name="notification_settings"),
]
