"""Before and after the day: scheduling (with the materials lead-time warning), rescheduling,
attendance marked without reloading the page (htmx), 「全部出席」 and observers (列席)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.errors import InvalidTransition
from core.http import refuse
from meetings import access, selectors, services
from meetings.forms import ObserverInput, PersonInput, RescheduleForm, ScheduleForm, StepInput
from meetings.models import Meeting
from org.models import MeetingBody


def _asks_confirmation(starts_at, materials_days: int, confirmed: bool) -> bool:
    """A time still to come but inside the lead time, not yet confirmed (a past time is the
    service's to refuse)."""
    return starts_at > timezone.now() and services.within_lead_time(starts_at, materials_days) and not confirmed


def _warning(form, shortfall) -> dict:
    return {"form": form, "short_notice": True, "shortfall": shortfall}


@login_required
def meeting_new(request):
    bodies = [b for b in MeetingBody.objects.select_related("chair") if access.organizes(request.user, b)]
    if not bodies:
        return refuse(request, _("只有会务部门（党委办公室、校务办）或会议主持人可以安排会议"))
    form = ScheduleForm(request.POST or None, bodies=bodies)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if _asks_confirmation(d["starts_at"], d["body"].materials_days, d["short_notice"]):
            # Not refused: the arranger is told what the date means and confirms it.
            shortfall = services.materials_shortfall(body=d["body"], starts_at=d["starts_at"])
            return render(request, "meetings/meeting_form.html", _warning(form, shortfall))
        fields = {k: v for k, v in d.items() if k != "short_notice"}
        try:
            meeting = services.meeting_schedule(actor=request.user, **fields)
        except InvalidTransition as e:
            form.add_error(None, e.reason)
            return render(request, "meetings/meeting_form.html", {"form": form}, status=e.status)
        messages.success(request, _("已安排%(meeting)s。请列入议题后发布议程。") % {"meeting": meeting.title})
        return redirect("meetings:detail", meeting.pk)
    return render(request, "meetings/meeting_form.html", {"form": form}, status=400 if form.errors else 200)


def _meeting_or_404(request, pk: int) -> Meeting:
    meeting = selectors.meeting_detail(request.user, pk)
    if meeting is None:
        raise Http404
    return meeting


@login_required
def meeting_reschedule(request, pk: int):
    meeting = _meeting_or_404(request, pk)
    reason = access.step_refusal(request.user, meeting, "reschedule")
    if reason:
        return refuse(request, reason)
    form = RescheduleForm(request.POST or None, initial={"starts_at": meeting.starts_at, "version": meeting.version})
    context = {"meeting": meeting, "form": form}
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        shortfall = services.materials_shortfall(meeting=meeting, starts_at=d["starts_at"])
        if _asks_confirmation(d["starts_at"], meeting.materials_days, d["short_notice"]):
            return render(request, "meetings/meeting_reschedule.html", {**context, **_warning(form, shortfall)})
        try:
            services.meeting_reschedule(
                actor=request.user, meeting_id=pk, starts_at=d["starts_at"], reason=d["reason"], version=d["version"]
            )
        except InvalidTransition as e:
            form.add_error(None, e.reason)
            return render(request, "meetings/meeting_reschedule.html", context, status=e.status)
        messages.success(request, _("会议已改期，已通知参会人员。"))
        return redirect("meetings:detail", pk)
    status = 400 if form.errors else 200
    return render(request, "meetings/meeting_reschedule.html", context, status=status)


ATTENDANCE_INPUTS = {"present": PersonInput, "absent": PersonInput, "all_present": StepInput, "observer": ObserverInput}
ATTENDANCE_DONE = {
    "present": gettext_lazy("已登记出席。"),
    "absent": gettext_lazy("已登记缺席及原因。"),
    "all_present": gettext_lazy("未登记的人员已全部登记为出席。"),
    "observer": gettext_lazy("已增加列席人员。"),
}


def attendance_context(request, meeting: Meeting) -> dict:
    """What the attendance card (meetings/_attendance.html) shows, on the page and alone."""
    record = selectors.build_record(meeting)
    runner = access.runs(request.user, meeting)
    marking = runner and meeting.state in (Meeting.State.PUBLISHED, Meeting.State.IN_PROGRESS)
    return {
        "meeting": meeting,
        "record": record,
        "marking": marking,
        "unmarked": bool(record.unknown_members) or any(a.status == "unknown" for a in record.observers),
        "observer_candidates": services.observer_candidates(meeting) if runner else [],
        "adding_observers": runner
        and meeting.state in (Meeting.State.PLANNING, Meeting.State.PUBLISHED, Meeting.State.IN_PROGRESS),
        "corrector": access.corrects(request.user, meeting),
        "attendance_corrections": selectors.attendance_corrections(meeting),
    }


@login_required
@require_POST
def attendance_act(request, pk: int, action: str):
    """Marks attendance; answers htmx with the attendance card alone, a plain form with the page."""
    meeting = _meeting_or_404(request, pk)
    if action not in ATTENDANCE_INPUTS:
        raise Http404
    user, status = request.user, 200
    try:
        refusal = access.step_refusal(user, meeting, action)
        if refusal:
            raise InvalidTransition(refusal, status=403)
        form = ATTENDANCE_INPUTS[action](request.POST)
        if not form.is_valid():
            raise InvalidTransition(next(e for errors in form.errors.values() for e in errors), status=400)
        d = form.cleaned_data
        if action == "all_present":
            services.attendance_all_present(actor=user, meeting_id=pk)
        elif action == "observer":
            services.observer_add(actor=user, meeting_id=pk, person_id=d["person"], reason=d["reason"])
        else:
            services.attendance_mark(
                actor=user, meeting_id=pk, person_id=d["person"], present=action == "present", reason=d["reason"]
            )
        note, level = ATTENDANCE_DONE[action], "success"
    except InvalidTransition as e:
        note, level, status = e.reason, "danger", e.status
    if not request.headers.get("HX-Request"):
        if level != "success":
            return refuse(request, note, status=status)
        messages.success(request, note)
        return redirect("meetings:detail", pk)
    context = attendance_context(request, _meeting_or_404(request, pk))
    context.update(note=note, level=level)
    # htmx swaps only 2xx answers by default: a refusal is shown in the card, its status kept in a header.
    response = render(request, "meetings/_attendance.html", context)
    response["X-Yishi-Status"] = str(status)
    return response
