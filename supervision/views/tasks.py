"""督查任务 pages: the task list and a task's page with its forms (a supervisor's track:
task_tracks; new tasks and an item's tasks: task_new).

Views parse the form, call supervision.services and show the reason of an InvalidTransition with
its status. Who may do what comes from supervision.access; what a person sees from the selectors.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.audit import history_of
from core.errors import InvalidTransition
from core.files import served_type
from core.http import refuse
from core.middleware import clean_query_value
from core.pages import get_page
from decisions import access as item_access
from supervision import access, selectors, services
from supervision.forms_tasks import (
    EscalateForm,
    FollowForm,
    ProgressReportForm,
    ReviewForm,
    TaskFilterForm,
    UrgeForm,
)
from supervision.models import TRANSITIONS, Follow, ReportReview, Task, Track
from supervision.selectors.tasks import is_overdue, progress_of, visible_evidence
from supervision.views.task_parts import partner_context

PAGE_SIZE = 20
TABS = {"mine": gettext_lazy("我的任务"), "review": gettext_lazy("待我审核"), "all": gettext_lazy("全部")}

VERB_LABELS = {
    "task.create": gettext_lazy("下达任务"),
    "task.report": gettext_lazy("报送进展"),
    "task.accept": gettext_lazy("审核通过"),
    "task.close": gettext_lazy("同意办结"),
    "task.return": gettext_lazy("退回补充"),
    "task.escalate": gettext_lazy("督办升级"),
    "task.urge": gettext_lazy("催办"),
    "task.partners": gettext_lazy("指定协办部门"),
    "task.part_report": gettext_lazy("协办部门报送进展"),
}


def _page(request, qs):
    return get_page(qs, PAGE_SIZE, request.GET.get("page"))


def _decorate(tasks) -> None:
    """What each row shows besides the fields: overdue, and progress in percent."""
    today = timezone.localdate()
    for task in tasks:
        task.overdue = is_overdue(task, today)
        task.percent = progress_of(task).percent


def _results(request, template: str) -> str:
    """htmx live search swaps only the results."""
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "results":
        return template + "#results"
    return template


# --- the list ---------------------------------------------------------------------------------


@login_required
def task_list(request):
    """督查任务： my tasks (departments I head, tasks I lead), the reports waiting on me, everything I see."""
    user = request.user
    tracks = access.supervised_tracks(user)
    tab = request.GET.get("tab") or ("review" if tracks else "mine")
    if tab not in TABS:
        tab = "mine"
    if tab == "review" and not tracks:
        return refuse(request, _("只有督查部门可以审核进展报告"))
    qs = selectors.tasks_with_progress(user)
    if tab == "mine":
        qs = qs.filter(Q(lead_department__in=user.headed_department_ids) | Q(responsible_leader=user))
    elif tab == "review":
        qs = qs.filter(track__in=tracks, waiting=True)
    filters = TaskFilterForm(request.GET)
    f = filters.values()
    page = _page(request, selectors.filter_tasks(qs, f))
    _decorate(page.object_list)
    context = {
        "page": page,
        "tab": tab,
        "tabs": [(key, label) for key, label in TABS.items() if key != "review" or tracks],
        "filters": filters,
        "filtered": any(f.get(k) for k in ("q", "track", "state", "department", "overdue")),
        # A supervisor's own tracks; leaders read every track.
        "track_links": [(t, label) for t, label in Track.choices if t in tracks or user.is_leader],
        "can_assign_plan": bool(access.plans_assigned_by(user)),
    }
    return render(request, _results(request, "supervision/task_list.html"), context)


# --- a task's page ----------------------------------------------------------------------------


def _pending(task: Task):
    """The report waiting for review, from the prefetched reports (no query)."""
    waiting = [r for r in task.reports.all() if not hasattr(r, "review")]
    return waiting[-1] if waiting else None


def _actions(user, task: Task, pending) -> set[str]:
    """What `user` may do on `task` now, asked of supervision.access and the transition table."""
    actions = set()
    if access.can_report(user, task) and task.state in TRANSITIONS["report"][0]:
        actions.add("report")
    if access.can_review(user, task) and task.is_open:
        actions.add("urge")
        if task.escalation_level < 3:
            actions.add("escalate")
        if task.state == Task.State.REPORTED and pending is not None:
            actions.add("review")
    if task.item_id:
        actions.add("follow")
    return actions


def _history(task: Task) -> list:
    events = list(history_of(task))
    for e in events:
        label = str(VERB_LABELS.get(e.verb, e.verb))
        if e.verb == "task.escalate" and e.data.get("level"):
            label = _("%(step)s（第 %(level)s 级）") % {"step": label, "level": e.data["level"]}
        e.verb_label = label
        e.to_state_label = Task.State(e.to_state).label if e.to_state in Task.State.values else ""
    return events


def _source(user, task: Task) -> dict:
    """How the page names the task's source; a confidential item's title only to those who see it."""
    if task.source == Task.Source.RESOLUTION and task.resolution_id:
        shows_item = bool(task.item_id) and (not task.confidential or item_access.can_view(user, task.item))
        return {"kind": "resolution", "resolution": task.resolution, "item": task.item, "shows_item": shows_item}
    if task.source == Task.Source.LETTER:
        # The letter itself stays with the mailbox's readers (its writer, the secretary, the party office).
        shows_letter = selectors.visible_letters(user).filter(pk=task.letter_id).exists()
        return {"kind": "letter", "letter": task.letter, "shows_letter": shows_letter}
    if task.source == Task.Source.PATROL:
        return {"kind": "patrol", "finding": task.finding}
    if task.source == Task.Source.ASSIGNED:
        return {"kind": "assigned", "plan": task.get_plan_display(), "by": task.created_by}
    return {"kind": "duty", "occurrence": task.occurrence}


def _detail_context(request, task: Task, **forms) -> dict:
    user = request.user
    pending = _pending(task)
    actions = _actions(user, task, pending)
    _decorate([task])
    initial_decision = ReportReview.Decision.CLOSE if pending and pending.is_final else ReportReview.Decision.ACCEPT
    context = {
        "task": task,
        "actions": actions,
        "pending": pending,
        "source": _source(user, task),
        "history": _history(task),
        "following": bool(task.item_id) and Follow.objects.filter(item_id=task.item_id, person=user).exists(),
        "report_form": ProgressReportForm(task=task) if "report" in actions else None,
        "review_form": (
            ReviewForm(initial={"report": pending.pk, "decision": initial_decision}) if "review" in actions else None
        ),
        "urge_form": UrgeForm() if "urge" in actions else None,
        "escalate_form": EscalateForm() if "escalate" in actions else None,
        **partner_context(user, task),
    }
    # A form sent back keeps what was typed, if its action is still open to the person.
    for name, form in forms.items():
        if context.get(name) is not None:
            context[name] = form
    review = forms.get("review_form")
    if context["review_form"] is review and review is not None and str(review.data.get("report")) != str(pending.pk):
        # Refused as stale: what was typed stays, now answering the report that waits.
        context["review_form"] = ReviewForm({**review.data.dict(), "report": pending.pk})
    if context["review_form"] is not None:
        context["review_form"].offer(services.review_decisions(pending))
    return context


def _task_or_404(user, pk: int) -> Task:
    task = selectors.task_detail(user, pk)
    if task is None:
        raise Http404
    return task


def _render_detail(request, pk: int, *, status: int = 200, error: str = "", **forms):
    if error:
        messages.error(request, error)
    task = _task_or_404(request.user, pk)
    services.task_viewed(actor=request.user, task=task)
    return render(request, "supervision/task_detail.html", _detail_context(request, task, **forms), status=status)


@login_required
def task_detail(request, pk: int):
    return _render_detail(request, pk)


def _require_visible(user, pk: int) -> Task:
    """404 for a task the person may not see, before anything else is said about it."""
    task = selectors.visible_tasks(user).filter(pk=pk).first()
    if task is None:
        raise Http404
    return task


@login_required
@require_POST
def task_report(request, pk: int):
    task = _task_or_404(request.user, pk)
    try:
        access.check_report(request.user, task)  # who is asking, before the form
    except InvalidTransition as e:
        return _render_detail(request, pk, status=e.status, error=e.reason)
    form = ProgressReportForm(request.POST, request.FILES, task=task)
    if not form.is_valid():
        return _render_detail(request, pk, status=400, error=_("请检查进展报告中的错误"), report_form=form)
    d = form.cleaned_data
    try:
        services.task_report(
            actor=request.user,
            task_id=pk,
            text=d["text"],
            is_final=d["is_final"],
            milestone_ids=[m.pk for m in d.get("milestones") or ()],
            files=d["files"],
            links=d["links"],
        )
    except InvalidTransition as e:
        return _render_detail(request, pk, status=e.status, error=e.reason, report_form=form)
    if d["is_final"]:
        messages.success(request, _("办结报告已报送，等待督查部门审核。"))
    else:
        messages.success(request, _("进展报告已报送，等待督查部门审核。"))
    return redirect("supervision:detail", pk)


@login_required
@require_POST
def task_review(request, pk: int):
    task = _require_visible(request.user, pk)
    try:
        access.check_review(request.user, task)  # who is asking, before the form
    except InvalidTransition as e:
        return _render_detail(request, pk, status=e.status, error=e.reason)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, pk, status=400, error=_("请选择审核结果"), review_form=form)
    d = form.cleaned_data
    try:
        review = services.task_review(
            actor=request.user,
            task_id=pk,
            decision=d["decision"],
            comment=d["comment"],
            rating=d["rating"],
            report_id=d["report"],
        )
    except InvalidTransition as e:
        return _render_detail(request, pk, status=e.status, error=e.reason, review_form=form)
    messages.success(request, _("已%(decision)s。") % {"decision": review.get_decision_display()})
    return redirect("supervision:detail", pk)


@login_required
@require_POST
def task_urge(request, pk: int):
    _require_visible(request.user, pk)
    form = UrgeForm(request.POST)
    form.is_valid()
    try:
        sent = services.task_urge(actor=request.user, task_id=pk, note=form.cleaned_data.get("note", ""))
    except InvalidTransition as e:
        return _render_detail(request, pk, status=e.status, error=e.reason, urge_form=form)
    if sent:
        messages.success(request, _("已催办，提醒 %(n)s 人。") % {"n": sent})
    else:
        messages.info(request, _("今天已催办过，不再重复提醒。"))
    return redirect("supervision:detail", pk)


@login_required
@require_POST
def task_escalate(request, pk: int):
    task = _require_visible(request.user, pk)
    form = EscalateForm(request.POST)
    try:
        access.check_review(request.user, task)  # who is asking, before the form
        if not form.is_valid():
            raise InvalidTransition(_("督办升级须写明理由"), status=400)
        services.task_escalate(actor=request.user, task_id=pk, reason=form.cleaned_data["reason"])
    except InvalidTransition as e:
        return _render_detail(request, pk, status=e.status, error=e.reason, escalate_form=form)
    messages.success(request, _("已升级督办，党委书记和责任人会收到提醒。"))
    return redirect("supervision:detail", pk)


@login_required
def evidence_download(request, pk: int):
    evidence = visible_evidence(request.user, pk)
    if evidence is None:
        raise Http404
    services.task_viewed(actor=request.user, task=evidence.report.task)
    return FileResponse(
        evidence.file.open("rb"), as_attachment=True, filename=evidence.name, content_type=served_type(evidence)
    )


@login_required
@require_POST
def item_follow(request, item_id: int):
    """关注 / 取消关注 an agenda item's tasks; htmx swaps the button, a plain form goes back."""
    form = FollowForm(request.POST)
    form.is_valid()  # two optional fields; one that is not text (NUL) is left out, as if not sent
    follow = form.cleaned_data.get("follow") == "1"
    try:
        services.item_follow(actor=request.user, item_id=item_id, follow=follow)
    except InvalidTransition as e:
        if e.status == 404:
            raise Http404 from e
        return refuse(request, e.reason, status=e.status)
    if request.headers.get("HX-Request"):
        return render(request, "supervision/_task_follow.html", {"item_id": item_id, "following": follow})
    messages.success(request, _("已关注，任务有进展时会通知您。") if follow else _("已取消关注。"))
    target = form.cleaned_data.get("next", "")
    # Back to a page of this site: a path, no control characters (never a view name to reverse).
    if (
        not target.startswith("/")
        or clean_query_value(target) != target
        or not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        target = "supervision:list"
    return redirect(target)
