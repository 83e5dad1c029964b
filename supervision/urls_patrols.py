from django.urls import path

from supervision.views import patrols as views

app_name = "patrols"
urlpatterns = [
    path("", views.finding_list, name="list"),
    path("new/", views.finding_new, name="new"),
    path("<int:pk>/", views.finding_detail, name="detail"),
]
