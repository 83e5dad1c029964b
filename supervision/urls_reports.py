from django.urls import path  # noqa: F401

app_name = "supervision_reports"
urlpatterns: list = []
