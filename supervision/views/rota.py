"""校园周巡查: the rota (排班), a patrol recorded from the phone, and the term's coverage."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import InvalidTransition
from core.http import refuse
from supervision import access
from supervision.forms_patrols import PatrolRecordForm, RotaForm
from supervision.selectors import coverage as selectors
from supervision.services import rota as services
from supervision.views.patrols import _refused


@login_required
def rota_page(request):
    """The term's rota; the offices add a week."""
    user = request.user
    if not access.can_see_patrols(user):
        return _refused(request)
    can_plan = access.can_plan_patrols(user)
    form = RotaForm(request.POST or None) if can_plan else None
    status = 200
    if request.method == "POST":
        if not can_plan:
            return refuse(request, _("只有党委办公室或校务办可以安排巡查排班"))
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.rota_assign(
                    actor=user, week=d["week"], leader_id=d["leader"].pk, area_ids=[a.pk for a in d["areas"]]
                )
            except InvalidTransition as e:
                form.add_error(None, e.reason)
                status = e.status
            else:
                messages.success(request, _("巡查排班已保存。"))
                return redirect("patrols:rota")
        else:
            status = 400
    term = selectors.term_of(timezone.localdate())
    context = {"form": form, "term": term, "rota": list(selectors.term_rota(term))}
    return render(request, "supervision/patrol_rota.html", context, status=status)


@login_required
def record_new(request):
    """A patrol of one area, from the phone: area, time, photos, what was found."""
    user = request.user
    if not access.can_record_patrol(user):
        return refuse(request, _("只有校领导或办公室可以记录校园巡查"))
    form = PatrolRecordForm(request.POST or None, request.FILES or None, for_leader=user.is_leader)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.patrol_record(
                    actor=user,
                    area_id=d["area"].pk,
                    patrolled_at=d["patrolled_at"],
                    note=d["note"],
                    finding=d["finding"],
                    department_id=d["department"].pk if d["department"] else None,
                    photos=d["photos"],
                    leader_id=d["leader"].pk if d.get("leader") else None,
                )
            except InvalidTransition as e:
                form.add_error(None, e.reason)
                status = e.status
            else:
                messages.success(request, _("巡查记录已保存。"))
                return redirect("patrols:coverage")
        else:
            status = 400
    return render(request, "supervision/patrol_record_form.html", {"form": form}, status=status)


@login_required
def coverage_page(request):
    """巡查面全覆盖: areas not patrolled this term, findings not yet closed, recent patrols."""
    user = request.user
    if not access.can_see_patrols(user):
        return _refused(request)
    term = selectors.term_of(timezone.localdate())
    areas = selectors.area_coverage(term)
    context = {
        "term": term,
        "areas": areas,
        "uncovered": [a for a in areas if not a.covered],
        "open_findings": list(selectors.open_findings(user)[:100]),
        "records": list(selectors.records_of(user, since=term.start)[:30]),
        "can_record": access.can_record_patrol(user),
    }
    return render(request, "supervision/patrol_coverage.html", context)


@login_required
def photo_download(request, pk: int):
    """A patrol photo, for those who see the patrol's records (selectors.coverage.records_of)."""
    from django.http import FileResponse, Http404

    from core.files import served_type
    from supervision.models import PatrolPhoto

    photo = PatrolPhoto.objects.filter(pk=pk, record__in=selectors.records_of(request.user).values("pk")).first()
    if photo is None or not access.can_see_patrols(request.user):
        raise Http404
    return FileResponse(photo.file.open("rb"), as_attachment=True, filename=photo.name, content_type=served_type(photo))
