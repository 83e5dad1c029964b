"""A supervisor's track （督查 by track）： the tasks waiting on a supervisor, and acting on several at once."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.http import refuse
from supervision import access, selectors, services
from supervision.forms_tasks import (
    BULK_LABELS,
    BulkForm,
    TaskFilterForm,
)
from supervision.models import Milestone, Task, Track
from supervision.selectors.tasks import counts_by_state, overdue_q
from supervision.views.tasks import _decorate, _page, _results

# --- a supervisor's track -------------------------------------------------------------------------


def _track_or_refuse(request, track: str):
    """(may act, refusal): the track's supervisors act; leaders read; everyone else is refused."""
    if track not in Track.values:
        raise Http404
    supervises = track in access.supervised_tracks(request.user)
    if not (supervises or request.user.is_leader):
        label = Track(track).label
        return supervises, refuse(request, _("只有“%(track)s”的督查部门或校领导可以查看") % {"track": label})
    return supervises, None


@login_required
def track_detail(request, track: str):
    supervises, refusal = _track_or_refuse(request, track)
    if refusal:
        return refusal
    user = request.user
    visible = selectors.visible_tasks(user).filter(track=track)
    by_state = counts_by_state(visible)
    counts = [(value, label, by_state.get(value, 0)) for value, label in Task.State.choices]
    overdue_count = visible.filter(overdue_q()).count()

    filters = TaskFilterForm(request.GET)
    f = {**filters.values(), "track": track}
    qs = selectors.tasks_with_progress(user).filter(track=track)
    if track == Track.PROJECT:
        qs = qs.prefetch_related(Prefetch("milestones", queryset=Milestone.objects.order_by("position", "due", "id")))
    page = _page(request, selectors.filter_tasks(qs, f))
    _decorate(page.object_list)
    context = {
        "track": track,
        "track_label": Track(track).label,
        "supervises": supervises,
        "counts": counts,
        "total": sum(by_state.values()),
        "overdue_count": overdue_count,
        "summary": selectors.department_summary(visible) if track == Track.PERFORMANCE else None,
        "show_milestones": track == Track.PROJECT,
        "page": page,
        "filters": filters,
        "filtered": any(f.get(k) for k in ("q", "state", "department", "overdue")),
        "bulk_actions": list(BULK_LABELS.items()) if supervises else [],
    }
    return render(request, _results(request, "supervision/task_track.html"), context)


@login_required
@require_POST
def track_bulk(request, track: str):
    """One action on the ticked tasks: first a confirmation, then each task on its own."""
    supervises, refusal = _track_or_refuse(request, track)
    if refusal:
        return refusal
    if not supervises:
        return refuse(request, _("只有本类督查的督查部门可以批量办理"))
    candidates = selectors.visible_tasks(request.user).filter(track=track).select_related("lead_department")
    form = BulkForm(request.POST, tasks=candidates)
    context = {"track": track, "track_label": Track(track).label, "form": form}
    valid = form.is_valid()
    tasks = list(form.cleaned_data.get("tasks") or ())
    action = form.cleaned_data.get("action")
    if not form.confirmed:
        # The confirmation, or (missing reason, no task ticked) the same page with what is wrong.
        if action:
            # The reports waiting now go with the confirmation: what is accepted is what was seen.
            waiting = selectors.waiting_report_ids([t.pk for t in tasks])
            for t in tasks:
                t.waiting_report_id = waiting.get(t.pk, 0)
            context.update(tasks=tasks, action_label=BULK_LABELS[action])
        return render(request, "supervision/task_bulk_confirm.html", context, status=200 if valid else 400)
    seen = form.seen_reports(tasks)
    refused = services.tasks_bulk(
        actor=request.user,
        action=action,
        task_ids=[t.pk for t in tasks],
        comment=form.cleaned_data["comment"],
        report_ids=seen if action in ("accept", "close") else None,
    )
    titles = {t.pk: t.title for t in tasks}
    done = len(tasks) - len(refused)
    (messages.success if done else messages.info)(
        request,
        _("%(action)s：已处理 %(n)s 项。") % {"action": BULK_LABELS[action], "n": done},
    )
    for task_id, reason in refused:
        messages.warning(request, _("未处理“%(title)s”:%(reason)s") % {"title": titles[task_id], "reason": reason})
    return redirect("supervision:track", track)
