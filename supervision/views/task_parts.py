"""协办 on a task's page, a co-operating department's part with its evidence, and tasks handed
out by an office (工作部署)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import InvalidTransition
from core.files import served_type
from core.http import refuse
from org.models import Department
from supervision import access
from supervision.forms_parts import AssignForm, PartnersForm, PartReportForm
from supervision.selectors.tasks import visible_part_evidence
from supervision.services import assigned, partners


def partner_context(user, task, **forms) -> dict:
    """What the task's page shows of 协办: the partners, their parts, and the two forms."""
    heads = access.partner_departments(user, task)
    departments = [p.department for p in task.partners.all() if p.department_id in heads]
    may_name = task.is_open and access.can_name_partners(user, task)
    return {
        "part_form": PartReportForm(departments=departments) if departments and task.is_open else None,
        "partners_form": PartnersForm(task=task) if may_name else None,
    }


def _detail(request, pk: int, *, status: int, error: str = "", **forms):
    from supervision.views.tasks import _render_detail

    return _render_detail(request, pk, status=status, error=error, **forms)


@login_required
@require_POST
def part_report(request, pk: int):
    from supervision.views.tasks import _task_or_404

    task = _task_or_404(request.user, pk)
    heads = access.partner_departments(request.user, task)
    if not heads:
        return _detail(request, pk, status=403, error=_("只有协办部门负责人可以报送本部门承担部分的进展"))
    departments = list(Department.objects.filter(pk__in=heads))
    form = PartReportForm(request.POST, request.FILES, departments=departments)
    if not form.is_valid():
        return _detail(request, pk, status=400, error=_("请检查协办进展中的错误"), part_form=form)
    d = form.cleaned_data
    try:
        partners.part_report(
            actor=request.user,
            task_id=pk,
            department_id=d["department"],
            text=d["text"],
            files=d["files"],
            links=d["links"],
        )
    except InvalidTransition as e:
        return _detail(request, pk, status=e.status, error=e.reason, part_form=form)
    messages.success(request, _("协办进展已报送，牵头部门可见。"))
    return redirect("supervision:detail", pk)


@login_required
@require_POST
def partners_add(request, pk: int):
    from supervision.views.tasks import _task_or_404

    task = _task_or_404(request.user, pk)
    form = PartnersForm(request.POST, task=task)
    if not access.can_name_partners(request.user, task):
        return _detail(request, pk, status=403, error=_("只有下达任务的部门可以指定协办部门"))
    if not form.is_valid():
        return _detail(request, pk, status=400, error=_("请选择协办部门"), partners_form=form)
    try:
        partners.task_partners_add(
            actor=request.user, task_id=pk, department_ids=[d.pk for d in form.cleaned_data["departments"]]
        )
    except InvalidTransition as e:
        return _detail(request, pk, status=e.status, error=e.reason, partners_form=form)
    messages.success(request, _("已指定协办部门。"))
    return redirect("supervision:detail", pk)


@login_required
def part_evidence_download(request, pk: int):
    from supervision.services import task_viewed

    evidence = visible_part_evidence(request.user, pk)
    if evidence is None:
        raise Http404
    task_viewed(actor=request.user, task=evidence.part.task)
    return FileResponse(
        evidence.file.open("rb"), as_attachment=True, filename=evidence.name, content_type=served_type(evidence)
    )


@login_required
def task_assign(request):
    plans = access.plans_assigned_by(request.user)
    if not plans:
        return refuse(request, _("工作部署任务由校务办（部门绩效、年度工作要点）或党委办公室（党支部工作）下达"))
    form = AssignForm(request.POST or None, plans=plans, initial={"plan": request.GET.get("plan", plans[0])})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                task = assigned.task_assign(
                    actor=request.user,
                    plan=d["plan"],
                    title=d["title"],
                    description=d["description"],
                    lead_department_id=d["lead_department"].pk,
                    responsible_leader_id=d["responsible_leader"].pk,
                    deadline=d["deadline"],
                    partner_ids=[p.pk for p in d["partners"]],
                )
            except InvalidTransition as e:
                form.add_error(None, e.reason)
                status = e.status
            else:
                messages.success(request, _("任务已下达，牵头部门和协办部门会收到提醒。"))
                return redirect("supervision:detail", task.pk)
        else:
            status = 400
    return render(request, "supervision/task_assign.html", {"form": form}, status=status)
