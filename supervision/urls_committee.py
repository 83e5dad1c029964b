from django.urls import path

from supervision.views import committee as views

app_name = "committee"
urlpatterns = [
    path("", views.report_page, name="page"),
    path("key-areas/", views.key_areas, name="key_areas"),
]
