from django.urls import path

from supervision.views import quarterly as views

app_name = "quarterly_report"
urlpatterns = [
    path("", views.report_page, name="page"),
    path("<int:year>-Q<int:quarter>.pdf", views.report_pdf, name="pdf"),
    path("<int:year>-Q<int:quarter>.xlsx", views.report_xlsx, name="xlsx"),
]
