"""The minutes page: the draft editor (saved by itself every few seconds and on leaving the
field, htmx), 送会签 (which saves what is on the screen first), co-signing and corrections."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.errors import InvalidTransition
from core.http import refuse
from meetings import access, selectors, services
from meetings.forms import MinutesForm, MinutesSendInput, ReasonForm, ReasonInput
from meetings.models import Minutes
from meetings.services.minutes import last_edit


def _minutes_or_404(request, pk):
    meeting = selectors.meeting_of_minutes(request.user, pk)
    if meeting is None:
        raise Http404
    by_pk = {m.pk: m for m in meeting.minutes.all()}
    minutes = by_pk[pk]
    if minutes.amends_id in by_pk:  # the minutes it corrects, already loaded with the meeting
        minutes.amends = by_pk[minutes.amends_id]
    return meeting, minutes


def _minutes_context(request, meeting, minutes, form=None, stale=False):
    signatures = list(minutes.signatures.select_related("member").order_by("signed_at"))
    current = [s for s in signatures if s.round == minutes.signing_round]
    required = access.signers(minutes, attendance=meeting.attendance.all())
    signed_ids = {s.member_id for s in current}
    people = {a.person_id: a.person for a in meeting.attendance.all()}
    recorder = access.records(request.user, meeting)
    can_edit = recorder and minutes.state == Minutes.State.DRAFT
    if form is not None and stale:
        # The editor keeps the text typed; the version becomes the one saved by the other person,
        # so that the next save (after merging) goes through.
        data = form.data.copy()
        data["version"] = minutes.version
        form = MinutesForm(data)
    return {
        "meeting": meeting,
        "minutes": minutes,
        "signatures": current,
        "waiting": [people[p] for p in required if p not in signed_ids],
        "can_edit": can_edit,
        "can_send": can_edit,
        "can_sign": minutes.state == Minutes.State.SIGNING
        and request.user.pk in required
        and request.user.pk not in signed_ids,
        "can_amend": recorder and minutes.state == Minutes.State.LOCKED,
        "form": form or MinutesForm(initial={"text": minutes.text, "version": minutes.version}),
        "stale": stale,
        "last_edit": last_edit(minutes) if can_edit else None,
        "reason_form": ReasonForm(),
        "amendments": [m for m in meeting.minutes.all() if m.amends_id == minutes.pk],
        # Locked minutes: their stored Word document's SHA-256 (the page is for those who may have it).
        "document": services.stored_minutes(minutes),
    }


@login_required
def minutes_detail(request, pk: int):
    meeting, minutes = _minutes_or_404(request, pk)
    if access.has_confidential(meeting) and not access.sees_confidential(request.user, meeting):
        return refuse(request, MINUTES_CONFIDENTIAL)
    services.confidential_viewed(actor=request.user, entries=meeting.entries.all())
    return render(request, "meetings/minutes_detail.html", _minutes_context(request, meeting, minutes))


def _autosave(request, pk: int, meeting, minutes):
    """htmx: the editor saves by itself; the answer is the save status (and the new version), or
    the other person's text when someone saved in between."""
    form = MinutesForm(request.POST)
    status = 200
    try:
        reason = access.step_refusal(request.user, meeting, "edit")
        if reason:
            raise InvalidTransition(reason, status=403)
        if not form.is_valid():
            raise InvalidTransition(_("纪要正文不能为空"), status=400)
        saved = services.minutes_edit(
            actor=request.user, minutes_id=pk, text=form.cleaned_data["text"], version=form.cleaned_data["version"]
        )
        context = {"minutes": saved, "saved": True}
    except InvalidTransition as e:
        _meeting, fresh = _minutes_or_404(request, pk)
        context = {"minutes": fresh, "error": e.reason, "stale": e.status == 409 and fresh.state == Minutes.State.DRAFT}
        # htmx swaps only 2xx answers: a refusal it must show says so in the body, not the status.
        status = 200 if e.status == 409 else e.status
    return render(request, "meetings/_minutes_autosave.html", context, status=status)


@login_required
@require_POST
def minutes_act(request, pk: int, action: str):
    if action not in MINUTES_DONE:
        raise Http404
    meeting, minutes = _minutes_or_404(request, pk)
    if access.has_confidential(meeting) and not access.sees_confidential(request.user, meeting):
        return refuse(request, MINUTES_CONFIDENTIAL)
    if action == "edit" and request.headers.get("HX-Request"):
        return _autosave(request, pk, meeting, minutes)
    user, form = request.user, None
    try:
        reason = access.step_refusal(user, meeting, action)  # who is asking, before the form
        if reason:
            raise InvalidTransition(reason, status=403)
        inputs = {"edit": MinutesForm, "send": MinutesSendInput}
        form = inputs.get(action, ReasonInput)(request.POST)
        if not form.is_valid():
            raise InvalidTransition(_("请检查纪要表单中的错误"), status=400)
        d = form.cleaned_data
        handlers = {
            "edit": lambda: services.minutes_edit(actor=user, minutes_id=pk, text=d["text"], version=d["version"]),
            "send": lambda: services.minutes_send(
                actor=user, minutes_id=pk, text=d["text"] or None, version=d["version"]
            ),
            "sign": lambda: services.minutes_sign(actor=user, minutes_id=pk),
            "object": lambda: services.minutes_object(actor=user, minutes_id=pk, reason=d["reason"]),
            "amend": lambda: services.minutes_amend(actor=user, minutes_id=pk, text=d["reason"]),
        }
        result = handlers[action]()
    except InvalidTransition as e:
        messages.error(request, e.reason)
        meeting, minutes = _minutes_or_404(request, pk)
        edit_form = None
        if isinstance(form, MinutesForm):
            edit_form = form
        elif isinstance(form, MinutesSendInput) and form.cleaned_data.get("text"):
            edit_form = MinutesForm(form.data)
        return render(
            request,
            "meetings/minutes_detail.html",
            _minutes_context(request, meeting, minutes, edit_form, stale=e.status == 409 and edit_form is not None),
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
