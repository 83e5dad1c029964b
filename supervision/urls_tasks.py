from django.urls import path

from supervision.views import task_new, task_parts, task_tracks, unfollowed
from supervision.views import tasks as views

app_name = "supervision"
urlpatterns = [
    path("", views.task_list, name="list"),
    path("new/", task_new.task_new, name="new"),
    path("assign/", task_parts.task_assign, name="assign"),
    path("tasks/<int:pk>/part/", task_parts.part_report, name="part_report"),
    path("tasks/<int:pk>/partners/", task_parts.partners_add, name="partners_add"),
    path("part-evidence/<int:pk>/", task_parts.part_evidence_download, name="part_evidence"),
    path("track/<slug:track>/", task_tracks.track_detail, name="track"),
    path("track/<slug:track>/bulk/", task_tracks.track_bulk, name="bulk"),
    path("tasks/<int:pk>/", views.task_detail, name="detail"),
    path("tasks/<int:pk>/report/", views.task_report, name="report_progress"),
    path("tasks/<int:pk>/review/", views.task_review, name="review"),
    path("tasks/<int:pk>/urge/", views.task_urge, name="urge"),
    path("tasks/<int:pk>/escalate/", views.task_escalate, name="escalate"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence"),
    path("follow/<int:item_id>/", views.item_follow, name="follow"),
    path("item/<int:item_id>/", task_new.item_tasks, name="item_tasks"),
    path("unfollowed/", unfollowed.unfollowed, name="unfollowed"),
    path("unfollowed/<int:pk>/no-task/", unfollowed.no_task, name="no_task"),
]
