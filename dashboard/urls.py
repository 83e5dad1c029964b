from django.urls import path

from dashboard import views

app_name = "dashboard"
urlpatterns = [
    path("leaders/", views.leaders, name="leaders"),
    path("leaders/export/<slug:table>.xlsx", views.export, name="export"),
    path("leaders/list/<slug:kind>/", views.figure_list, name="figure_list"),
]
