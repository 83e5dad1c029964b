from django.urls import path

from reports import views, views_flags

app_name = "party_building"
urlpatterns = [
    path("", views.report_table, name="table"),
    path("<int:year>.xlsx", views.report_xlsx, name="xlsx"),
    path("<int:year>/<str:stage>/flags/", views_flags.flag_list, name="flags"),
    path("<int:year>/<str:stage>/departments/<int:department_id>/", views.department_entry, name="enter"),
    path("<int:year>/<str:stage>/departments/<int:department_id>/history/", views.department_history, name="history"),
]
