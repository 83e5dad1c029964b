from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.errors import InvalidTransition
from core.pages import get_page
from decisions.models import AgendaItem
from decisions.models import State as ItemState
from meetings import access, selectors, services
from meetings.forms import (
    AttendanceCorrectInput,
    ItemInput,
    PersonInput,
    PublishInput,
    ReasonForm,
    ReasonInput,
    StepInput,
)
from meetings.models import Meeting, StudySession
from meetings.views_day import attendance_context
from meetings.views_day import meeting_new as meeting_new  # the form with the lead-time warning


@login_required
def meeting_list(request):
    page = get_page(selectors.meetings_for(request.user), 20, request.GET.get("page"))
    return render(
        request, "meetings/meeting_list.html", {"page": page, "can_schedule": access.can_schedule(request.user)}
    )


def _meeting_or_404(request, pk):
    meeting = selectors.meeting_detail(request.user, pk)
    if meeting is None:
        raise Http404
    return meeting


def _detail_context(request, meeting):
    record = selectors.build_record(meeting)
    organizer = access.arranges(request.user, meeting)
    candidates = []
    if (
        organizer
        and meeting.state == Meeting.State.PLANNING
        or access.chairs(request.user, meeting)
        and meeting.state == Meeting.State.IN_PROGRESS
    ):
        candidates = list(
            AgendaItem.objects.filter(state=ItemState.READY, requested_body=meeting.body).select_related(
                "department", "submitter"
            )[:100]
        )
    return {
        "meeting": meeting,
        "record": record,
        "organizer": organizer,
        "runner": access.runs(request.user, meeting),
        "is_chair": access.chairs(request.user, meeting),
        "candidates": candidates,
        "materials_deadline": services.materials_deadline(meeting),
        "materials_open": access.materials_open(request.user, meeting),
        "minutes": list(meeting.minutes.all()),
        "study": StudySession.objects.filter(meeting=meeting).first(),
        "reason_form": ReasonForm(),
        "shortfall": services.materials_shortfall(meeting=meeting, starts_at=meeting.starts_at)
        if organizer and meeting.state in (Meeting.State.PLANNING, Meeting.State.PUBLISHED)
        else [],
        **attendance_context(request, meeting),
        # Confidential titles on the agenda and in the dropped list: attendees only.
        "sees_confidential": access.sees_confidential(request.user, meeting),
        # The stored archive's SHA-256, for those who may download it.
        "archive": services.stored_archive(meeting)
        if not access.has_confidential(meeting) or access.sees_confidential(request.user, meeting)
        else None,
    }


@login_required
def meeting_detail(request, pk: int):
    meeting = _meeting_or_404(request, pk)
    return render(request, "meetings/meeting_detail.html", _detail_context(request, meeting))


MEETING_INPUTS = {
    "publish": PublishInput,
    "open": StepInput,
    "adjourn": StepInput,
    "cancel": ReasonInput,
    "add": ItemInput,
    "emergency": ItemInput,
    "present": PersonInput,
    "absent": PersonInput,
    "correct_attendance": AttendanceCorrectInput,
}


def _read(request, meeting: Meeting, action: str, inputs: dict):
    """Who is asking (403), then what was sent (400): the cleaned input of `action`'s form."""
    reason = access.step_refusal(request.user, meeting, action)
    if reason:
        raise InvalidTransition(reason, status=403)
    form = inputs[action](request.POST)
    if not form.is_valid():
        raise InvalidTransition(next(e for errors in form.errors.values() for e in errors), status=400)
    return form.cleaned_data


@login_required
@require_POST
def meeting_act(request, pk: int, action: str):
    meeting = _meeting_or_404(request, pk)
    if action not in MEETING_INPUTS:
        raise Http404
    user = request.user
    handlers = {
        "publish": lambda d: services.meeting_publish(
            actor=user, meeting_id=pk, exception_reason=d["exception_reason"]
        ),
        "open": lambda d: services.meeting_open(actor=user, meeting_id=pk),
        "adjourn": lambda d: services.meeting_adjourn(actor=user, meeting_id=pk),
        "cancel": lambda d: services.meeting_cancel(actor=user, meeting_id=pk, reason=d["reason"]),
        "add": lambda d: services.agenda_add(actor=user, meeting_id=pk, item_id=d["item"]),
        "emergency": lambda d: services.emergency_add(actor=user, meeting_id=pk, item_id=d["item"], reason=d["reason"]),
        "present": lambda d: services.attendance_mark(actor=user, meeting_id=pk, person_id=d["person"], present=True),
        "absent": lambda d: services.attendance_mark(
            actor=user, meeting_id=pk, person_id=d["person"], present=False, reason=d["reason"]
        ),
        "correct_attendance": lambda d: services.attendance_correct(
            actor=user, meeting_id=pk, person_id=d["person"], present=d["present"], reason=d["reason"], was=d["was"]
        ),
    }
    try:
        handlers[action](_read(request, meeting, action, MEETING_INPUTS))
    except InvalidTransition as e:
        messages.error(request, e.reason)
        return render(
            request,
            "meetings/meeting_detail.html",
            _detail_context(request, _meeting_or_404(request, pk)),
            status=e.status,
        )
    messages.success(request, DONE.get(action, _("已办理。")))
    return redirect("meetings:detail", meeting.pk)


DONE = {
    "publish": gettext_lazy("议程已发布，已通知参会人员。"),
    "open": gettext_lazy("会议开始。"),
    "adjourn": gettext_lazy("已散会，纪要草稿已根据会议记录生成。"),
    "cancel": gettext_lazy("会议已取消，议题已退回待上会。"),
    "add": gettext_lazy("已列入议程。"),
    "emergency": gettext_lazy("已列入临时紧急议题，理由已记录。"),
    "present": gettext_lazy("已登记出席。"),
    "absent": gettext_lazy("已登记缺席及原因。"),
    "correct_attendance": gettext_lazy("已更正出席情况，原登记和更正理由已记录。"),
}
