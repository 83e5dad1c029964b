from django.urls import path

from supervision.views import branches as views

app_name = "branches"
urlpatterns = [
    path("", views.branch_year, name="year"),
    path("check/", views.branch_check_new, name="check"),
    path("checks/<int:pk>/", views.branch_check_detail, name="detail"),
]
