from django.urls import path

from supervision.views import performance as views

app_name = "performance"
urlpatterns = [
    path("", views.rating_list, name="list"),
    path("<int:pk>/", views.rating_detail, name="detail"),
    path("<int:pk>/publish/", views.rating_publish, name="publish"),
    path("<int:pk>/departments/<int:department_id>/", views.score_detail, name="score"),
    path("plan/<int:department_id>/", views.department_plan, name="plan"),
]
