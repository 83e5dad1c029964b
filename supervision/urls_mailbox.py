from django.urls import path

from supervision.views import mailbox as views
from supervision.views import mailbox_anonymous

app_name = "mailbox"
urlpatterns = [
    path("", views.letter_list, name="list"),
    path("new/", views.letter_new, name="new"),
    path("anonymous/", mailbox_anonymous.letter_anonymous, name="anonymous"),
    path("query/", mailbox_anonymous.letter_query, name="query"),
    path("<int:pk>/", views.letter_detail, name="detail"),
    path("<int:pk>/forward/", views.letter_forward, name="forward"),
]
