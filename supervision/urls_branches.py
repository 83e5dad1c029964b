from django.urls import path

from supervision.views import branches as views
from supervision.views import org_life

app_name = "branches"
urlpatterns = [
    path("", views.branch_year, name="year"),
    path("check/", views.branch_check_new, name="check"),
    path("checks/<int:pk>/", views.branch_check_detail, name="detail"),
    path("self-check/", org_life.self_check_new, name="self_check"),
    path("org-life/", org_life.org_life_year, name="org_life"),
    path("org-life/new/", org_life.org_life_new, name="org_life_new"),
]
