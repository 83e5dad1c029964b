from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.errors import InvalidTransition
from core.http import refuse
from core.pages import get_page
from decisions.models import AgendaItem
from decisions.models import State as ItemState
from meetings import access, selectors, services
from meetings.forms import (
    ItemInput,
    MeetingForm,
    MinutesForm,
    OpinionForm,
    OpinionInput,
    OutcomeForm,
    OutcomeInput,
    PersonInput,
    ReasonForm,
    ReasonInput,
    RecusalInput,
    StepInput,
    VoteForm,
    VoteInput,
)
from meetings.models import AgendaEntry, Meeting, Minutes
from org.models import MeetingBody, User


@login_required
def meeting_list(request):
    page = get_page(selectors.meetings_for(request.user), 20, request.GET.get("page"))
    return render(
        request, "meetings/meeting_list.html", {"page": page, "can_schedule": access.can_schedule(request.user)}
    )


@login_required
def meeting_new(request):
    bodies = [b for b in MeetingBody.objects.select_related("chair") if access.organizes(request.user, b)]
    if not bodies:
        return refuse(request, _("只有会务部门（党委办公室、校务办）或会议主持人可以安排会议"))
    form = MeetingForm(request.POST or None, bodies=bodies)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_schedule(actor=request.user, **form.cleaned_data)
        except InvalidTransition as e:
            form.add_error(None, e.reason)
            return render(request, "meetings/meeting_form.html", {"form": form}, status=e.status)
        messages.success(request, _("已安排%(meeting)s。请列入议题后发布议程。") % {"meeting": meeting.title})
        return redirect("meetings:detail", meeting.pk)
    return render(request, "meetings/meeting_form.html", {"form": form}, status=400 if form.errors else 200)


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
        "materials_open": timezone.now() >= services.materials_deadline(meeting) or access.runs(request.user, meeting),
        "minutes": list(meeting.minutes.all()),
        "reason_form": ReasonForm(),
        # Confidential titles on the agenda and in the dropped list: attendees only.
        "sees_confidential": _sees_confidential(request.user, meeting),
    }


@login_required
def meeting_detail(request, pk: int):
    meeting = _meeting_or_404(request, pk)
    return render(request, "meetings/meeting_detail.html", _detail_context(request, meeting))


MEETING_INPUTS = {
    "publish": StepInput,
    "open": StepInput,
    "adjourn": StepInput,
    "cancel": ReasonInput,
    "add": ItemInput,
    "emergency": ItemInput,
    "present": PersonInput,
    "absent": PersonInput,
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
        "publish": lambda d: services.meeting_publish(actor=user, meeting_id=pk),
        "open": lambda d: services.meeting_open(actor=user, meeting_id=pk),
        "adjourn": lambda d: services.meeting_adjourn(actor=user, meeting_id=pk),
        "cancel": lambda d: services.meeting_cancel(actor=user, meeting_id=pk, reason=d["reason"]),
        "add": lambda d: services.agenda_add(actor=user, meeting_id=pk, item_id=d["item"]),
        "emergency": lambda d: services.emergency_add(actor=user, meeting_id=pk, item_id=d["item"], reason=d["reason"]),
        "present": lambda d: services.attendance_mark(actor=user, meeting_id=pk, person_id=d["person"], present=True),
        "absent": lambda d: services.attendance_mark(
            actor=user, meeting_id=pk, person_id=d["person"], present=False, reason=d["reason"]
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
}


def _entry_or_404(request, pk):
    meeting_id = AgendaEntry.objects.filter(pk=pk).values_list("meeting_id", flat=True).first()
    meeting = selectors.meeting_detail(request.user, meeting_id) if meeting_id else None
    if meeting is None:
        raise Http404
    entry = next(e for e in meeting.entries.all() if e.pk == pk)
    if entry.item.confidential and not _may_see_item(request.user, meeting, entry):
        raise Http404
    return meeting, entry


def _may_see_item(user: User, meeting: Meeting, entry: AgendaEntry) -> bool:
    return access.sees_confidential(user, meeting)


_sees_confidential = access.sees_confidential


_has_confidential = access.has_confidential


def _entry_context(request, meeting, entry, **forms):
    record = selectors.build_record(meeting)
    row = next((r for r in record.entries if r.entry.pk == entry.pk), None)
    runner = access.runs(request.user, meeting)
    present_members = [a.person for a in record.present_members if row and a.person_id not in row.facts["recused"]]
    given = {o.member_id for o in row.opinions} if row else set()
    speakers = [p for p in present_members if p.pk not in given and (runner or p.pk == request.user.pk)]
    my_vote = next((v for v in (row.votes if row else []) if v.member_id == request.user.pk), None)
    can_vote = bool(
        row
        and entry.vote_state == AgendaEntry.VoteState.OPEN
        and my_vote is None
        and request.user.pk in row.facts["present"]
    )
    context = {
        "meeting": meeting,
        "entry": entry,
        "row": row,
        "runner": runner,
        "is_chair": access.chairs(request.user, meeting),
        "opinion_form": OpinionForm(members=speakers) if speakers else None,
        "vote_form": VoteForm() if can_vote else None,
        "my_vote": my_vote,
        "votes_visible": entry.vote_state == AgendaEntry.VoteState.CLOSED,
        "outcome_form": OutcomeForm(
            outcomes=[(o, services.Outcome(o).label) for o in services.allowed_outcomes(entry, meeting)]
        ),
        "reason_form": ReasonForm(),
        "vote_required": services.vote_required(entry),
        "recusable": [a.person for a in services.recusable(entry, meeting)] if row else [],
    }
    context.update(forms)
    return context


@login_required
def entry_detail(request, pk: int):
    meeting, entry = _entry_or_404(request, pk)
    services.confidential_viewed(actor=request.user, entries=[entry])
    return render(request, "meetings/entry_detail.html", _entry_context(request, meeting, entry))


ENTRY_INPUTS = {
    "recuse": RecusalInput,
    "opinion": OpinionInput,
    "vote_open": StepInput,
    "vote": VoteInput,
    "vote_close": StepInput,
    "decide": OutcomeInput,
    "drop": ReasonInput,
    "up": StepInput,
    "down": StepInput,
}


@login_required
@require_POST
def entry_act(request, pk: int, action: str):
    meeting, entry = _entry_or_404(request, pk)
    if action not in ENTRY_INPUTS:
        raise Http404
    user = request.user
    handlers = {
        "recuse": lambda d: services.entry_recuse(actor=user, entry_id=pk, member_id=d["member"], reason=d["reason"]),
        "opinion": lambda d: services.opinion_record(
            actor=user, entry_id=pk, member_id=d["member"], stance=d["stance"], text=d["text"]
        ),
        "vote_open": lambda d: services.vote_open(actor=user, entry_id=pk),
        "vote": lambda d: services.vote_cast(actor=user, entry_id=pk, choice=d["choice"]),
        "vote_close": lambda d: services.vote_close(actor=user, entry_id=pk),
        "decide": lambda d: services.entry_decide(actor=user, entry_id=pk, outcome=d["outcome"], note=d["note"]),
        "drop": lambda d: services.agenda_drop(actor=user, entry_id=pk, reason=d["reason"]),
        "up": lambda d: services.agenda_move(actor=user, entry_id=pk, up=True),
        "down": lambda d: services.agenda_move(actor=user, entry_id=pk, up=False),
    }
    try:
        handlers[action](_read(request, meeting, action, ENTRY_INPUTS))
    except InvalidTransition as e:
        messages.error(request, e.reason)
        meeting, entry = _entry_or_404(request, pk)
        return render(request, "meetings/entry_detail.html", _entry_context(request, meeting, entry), status=e.status)
    messages.success(request, ENTRY_DONE.get(action, _("已办理。")))
    if action in ("drop", "up", "down"):
        return redirect("meetings:detail", meeting.pk)
    return redirect("meetings:entry", pk)


ENTRY_DONE = {
    "recuse": gettext_lazy("已登记回避。"),
    "opinion": gettext_lazy("已记录表态。"),
    "vote_open": gettext_lazy("表决开始。"),
    "vote": gettext_lazy("您的表决已记录；表决结束前其他成员看不到您的选择。"),
    "vote_close": gettext_lazy("表决结束。"),
    "decide": gettext_lazy("已记录结论。"),
    "drop": gettext_lazy("已撤出议程，议题已退回待上会。"),
}


def _minutes_or_404(request, pk):
    meeting = selectors.meeting_of_minutes(request.user, pk)
    if meeting is None:
        raise Http404
    by_pk = {m.pk: m for m in meeting.minutes.all()}
    minutes = by_pk[pk]
    if minutes.amends_id in by_pk:  # the minutes it corrects, already loaded with the meeting
        minutes.amends = by_pk[minutes.amends_id]
    return meeting, minutes


def _minutes_context(request, meeting, minutes, form=None):
    signatures = list(minutes.signatures.select_related("member").order_by("signed_at"))
    current = [s for s in signatures if s.round == minutes.signing_round]
    required = access.signers(minutes, attendance=meeting.attendance.all())
    signed_ids = {s.member_id for s in current}
    people = {a.person_id: a.person for a in meeting.attendance.all()}
    recorder = access.records(request.user, meeting)
    return {
        "meeting": meeting,
        "minutes": minutes,
        "signatures": current,
        "waiting": [people[p] for p in required if p not in signed_ids],
        "can_edit": recorder and minutes.state == Minutes.State.DRAFT,
        "can_send": recorder and minutes.state == Minutes.State.DRAFT,
        "can_sign": minutes.state == Minutes.State.SIGNING
        and request.user.pk in required
        and request.user.pk not in signed_ids,
        "can_amend": recorder and minutes.state == Minutes.State.LOCKED,
        "form": form or MinutesForm(initial={"text": minutes.text, "version": minutes.version}),
        "reason_form": ReasonForm(),
        "amendments": [m for m in meeting.minutes.all() if m.amends_id == minutes.pk],
    }


@login_required
def minutes_detail(request, pk: int):
    meeting, minutes = _minutes_or_404(request, pk)
    if _has_confidential(meeting) and not _sees_confidential(request.user, meeting):
        return refuse(request, MINUTES_CONFIDENTIAL)
    services.confidential_viewed(actor=request.user, entries=meeting.entries.all())
    return render(request, "meetings/minutes_detail.html", _minutes_context(request, meeting, minutes))


@login_required
@require_POST
def minutes_act(request, pk: int, action: str):
    if action not in MINUTES_DONE:
        raise Http404
    meeting, minutes = _minutes_or_404(request, pk)
    if _has_confidential(meeting) and not _sees_confidential(request.user, meeting):
        return refuse(request, MINUTES_CONFIDENTIAL)
    user, form = request.user, None
    try:
        reason = access.step_refusal(user, meeting, action)  # who is asking, before the form
        if reason:
            raise InvalidTransition(reason, status=403)
        form = MinutesForm(request.POST) if action == "edit" else ReasonInput(request.POST)
        if not form.is_valid():
            raise InvalidTransition(_("请检查纪要表单中的错误"), status=400)
        d = form.cleaned_data
        handlers = {
            "edit": lambda: services.minutes_edit(actor=user, minutes_id=pk, text=d["text"], version=d["version"]),
            "send": lambda: services.minutes_send(actor=user, minutes_id=pk),
            "sign": lambda: services.minutes_sign(actor=user, minutes_id=pk),
            "object": lambda: services.minutes_object(actor=user, minutes_id=pk, reason=d["reason"]),
            "amend": lambda: services.minutes_amend(actor=user, minutes_id=pk, text=d["reason"]),
        }
        result = handlers[action]()
    except InvalidTransition as e:
        messages.error(request, e.reason)
        meeting, minutes = _minutes_or_404(request, pk)
        edit_form = form if isinstance(form, MinutesForm) else None
        return render(
            request,
            "meetings/minutes_detail.html",
            _minutes_context(request, meeting, minutes, edit_form),
            status=e.status,
        )
    messages.success(request, MINUTES_DONE[action])
    return redirect("meetings:minutes", result.pk if action == "amend" else pk)


MINUTES_CONFIDENTIAL = gettext_lazy("本次会议含涉密议题，纪要仅限参会人员查阅")

MINUTES_DONE = {
    "edit": gettext_lazy("纪要已保存。"),
    "send": gettext_lazy("纪要已送出席成员会签。"),
    "sign": gettext_lazy("您已会签。"),
    "object": gettext_lazy("已退回记录人修改，会签将重新开始。"),
    "amend": gettext_lazy("已起草更正纪要，请修改后送签。"),
}


@login_required
def meeting_archive_pdf(request, pk: int):
    meeting = _meeting_or_404(request, pk)
    if meeting.state != Meeting.State.ADJOURNED:
        return refuse(request, _("会议结束后才能生成归档文件"), status=409)
    if _has_confidential(meeting) and not _sees_confidential(request.user, meeting):
        return refuse(request, _("本次会议含涉密议题，归档文件仅限参会人员下载"))
    from meetings.pdf import archive_pdf

    services.confidential_viewed(actor=request.user, entries=meeting.entries.all())
    pdf = archive_pdf(meeting)
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"meeting-{meeting.pk}-archive.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
