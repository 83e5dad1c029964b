"""New 督查 tasks (from a resolution, a letter or a patrol finding) and an item's tasks."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.errors import InvalidTransition
from core.http import refuse
from decisions import access as item_access
from decisions import selectors as item_selectors
from decisions.models import State as ItemState
from meetings.models import Resolution
from supervision import access, selectors, services
from supervision.forms_tasks import (
    MilestoneFormSet,
    TaskForm,
)
from supervision.models import Follow, PatrolFinding, Task, Track
from supervision.views.tasks import _decorate

# --- a new task -------------------------------------------------------------------------------


def _new_source(request):
    """The resolution, letter or finding named in the query string: (kind, object), 404 if unseen."""
    user = request.user
    given = {k: request.GET.get(k, "") for k in ("resolution", "letter", "finding") if request.GET.get(k)}
    if len(given) != 1 or not next(iter(given.values())).isdigit():
        return None, None
    kind, pk = next(iter(given.items()))
    if kind == "resolution":
        resolution = Resolution.objects.select_related("item", "meeting", "body").filter(pk=pk).first()
        if resolution is None:
            raise Http404
        item = resolution.item
        resolution.shows_item = (not resolution.confidential and not item.confidential) or item_access.can_view(
            user, item
        )
        return kind, resolution
    if kind == "letter":
        letter = selectors.visible_letters(user).filter(pk=pk).first()
        if letter is None:
            raise Http404
        return kind, letter
    finding = PatrolFinding.objects.select_related("leader", "department").filter(pk=pk).first()
    if finding is None:
        raise Http404
    return kind, finding


def _may_create(user, kind: str, source) -> bool:
    """The rule services.task_create applies, asked before the form is shown."""
    if kind == "finding":
        return access.can_create_task(user, "patrol", finding_leader_id=source.leader_id)
    if kind == "resolution" and source.confidential and not item_access.can_view(user, source.item):
        return False
    return access.can_create_task(user, kind)


def _initial(user, kind: str, source) -> dict:
    tracks = access.supervised_tracks(user)
    initial = {"track": tracks[0] if tracks else Track.TASK}
    if kind == "resolution":
        initial["title"] = source.item.title if source.shows_item else _("落实%(number)s") % {"number": source.number}
        initial["lead_department"] = source.item.department_id
    elif kind == "letter":
        initial["title"] = source.subject
    else:
        initial["title"] = source.text.splitlines()[0][:200] if source.text else source.place
        initial["lead_department"] = source.department_id
    return initial


@login_required
def task_new(request):
    kind, source = _new_source(request)
    if source is None:
        return refuse(request, _("督查任务须来自一项决议、一封来信或一条巡查发现"), status=400)
    if not _may_create(request.user, kind, source):
        return refuse(request, _("只有党委办公室、校务办或纪委可以下达督查任务"))
    form = TaskForm(request.POST or None, initial=_initial(request.user, kind, source))
    formset = MilestoneFormSet(request.POST or None, prefix="m")
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid() and formset.is_valid():
            d = form.cleaned_data
            try:
                task = services.task_create(
                    actor=request.user,
                    track=d["track"],
                    title=d["title"],
                    description=d["description"],
                    lead_department_id=d["lead_department"].pk,
                    responsible_leader_id=d["responsible_leader"].pk,
                    deadline=d["deadline"],
                    milestones=[s for s in (m.spec() for m in formset) if s],
                    confidential=d["confidential"],
                    **{f"{kind}_id": source.pk},
                )
            except InvalidTransition as e:
                form.add_error(None, e.reason)
                status = e.status
            else:
                messages.success(request, _("督查任务已下达，牵头部门和责任领导会收到通知。"))
                return redirect("supervision:detail", task.pk)
    context = {"form": form, "formset": formset, "kind": kind, "source": source}
    return render(request, "supervision/task_form.html", context, status=status)


@login_required
def item_tasks(request, item_id: int):
    """The item page's supervision section (htmx): each resolution of the item with its tasks and
    progress, a 分解任务 button for those who assign, and the follow button."""
    item = item_selectors.visible_items(request.user).filter(pk=item_id).first()
    if item is None:
        raise Http404
    resolutions = list(Resolution.objects.filter(item=item).select_related("body").order_by("issued_at", "id"))
    tasks = list(selectors.tasks_with_progress(request.user).filter(item=item).order_by("deadline", "id"))
    _decorate(tasks)
    hidden = Task.objects.filter(item=item).count() - len(tasks)
    context = {
        "item": item,
        "resolutions": resolutions,
        "tasks": tasks,
        "hidden": hidden,
        "can_assign": access.can_assign(request.user) and item.state == ItemState.RESOLVED,
        "following": Follow.objects.filter(item=item, person=request.user).exists(),
        "item_url": f"/items/{item.pk}/",
    }
    return render(request, "supervision/_item_tasks.html", context)
