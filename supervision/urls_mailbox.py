from django.urls import path

from supervision.views import mailbox as views

app_name = "mailbox"
urlpatterns = [
    path("", views.letter_list, name="list"),
    path("new/", views.letter_new, name="new"),
    path("<int:pk>/", views.letter_detail, name="detail"),
]
