from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("dingtalk/app/", views.dingtalk_app, name="dingtalk_app"),
    path("<slug:name>/", views.start, name="start"),
    path("<slug:name>/callback/", views.callback, name="callback"),
]
