from django.urls import path

from decisions import views, views_review

app_name = "decisions"
urlpatterns = [
    path("", views.all_items, name="all"),
    path("mine/", views.mine, name="mine"),
    path("new/", views.item_new, name="new"),
    path("review/", views.review_queue, name="review"),
    path("screening/", views.screening_queue, name="screening"),
    path("consultations/", views.consultation_inbox, name="consultations"),
    path("<int:pk>/", views.item_detail, name="detail"),
    path("<int:pk>/edit/", views.item_edit, name="edit"),
    path("<int:pk>/act/<slug:step>/", views.item_act, name="act"),
    path("<int:pk>/attach/", views.item_attach, name="attach"),
    path("<int:pk>/countersign/", views_review.countersign, name="countersign"),
    path("<int:pk>/countersign/answer/", views_review.countersign_answer, name="countersign_answer"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("attachments/<int:pk>/remove/", views.attachment_remove, name="attachment_remove"),
]
