from django.urls import path

from supervision.views import patrols as views
from supervision.views import rota

app_name = "patrols"
urlpatterns = [
    path("", views.finding_list, name="list"),
    path("new/", views.finding_new, name="new"),
    path("<int:pk>/", views.finding_detail, name="detail"),
    path("rota/", rota.rota_page, name="rota"),
    path("record/", rota.record_new, name="record"),
    path("coverage/", rota.coverage_page, name="coverage"),
    path("photo/<int:pk>/", rota.photo_download, name="photo"),
]
