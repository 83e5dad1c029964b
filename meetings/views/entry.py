"""An agenda item at the meeting: the speaker list (chair last), the vote in the chair's mode,
the recorder's entry of a show of hands or an oral vote, corrections and the item's history."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.errors import InvalidTransition
from meetings import access, selectors, services
from meetings.forms import (
    OpinionCorrectInput,
    OpinionForm,
    OpinionInput,
    OutcomeForm,
    OutcomeInput,
    ReasonForm,
    ReasonInput,
    RecusalInput,
    StepInput,
    VoteCorrectInput,
    VoteEnterInput,
    VoteForm,
    VoteInput,
    VoteModeForm,
    VoteOpenInput,
)
from meetings.models import AgendaEntry, Meeting, Opinion, Vote
from meetings.views import _read

VoteMode = AgendaEntry.VoteMode


def _entry_or_404(request, pk):
    meeting_id = AgendaEntry.objects.filter(pk=pk).values_list("meeting_id", flat=True).first()
    meeting = selectors.meeting_detail(request.user, meeting_id) if meeting_id else None
    if meeting is None:
        raise Http404
    entry = next((e for e in meeting.entries.all() if e.pk == pk), None)
    if entry is None:  # not among the entries the meeting's page lists
        raise Http404
    if entry.item.confidential and not access.sees_confidential(request.user, meeting):
        raise Http404
    return meeting, entry


def _vote_context(request, meeting, entry, row) -> dict:
    user = request.user
    runner = access.runs(user, meeting)
    counted = row.facts["present"] if row else []
    people = {a.person_id: a.person for a in meeting.attendance.all()}
    own = entry.vote_mode in access.OWN_BALLOT
    has_voted = bool(row) and any(
        (b.pk if entry.vote_mode == VoteMode.SECRET else b.member_id) == user.pk for b in row.cast
    )
    my_vote = None
    if row and entry.vote_mode != VoteMode.SECRET:
        my_vote = next((v for v in row.votes if v.member_id == user.pk), None)
    mode_form = None
    if runner and not entry.vote_state:
        default = access.default_vote_mode(entry)
        modes = [m for m in VoteMode if m and (m == default or access.chooses_vote_mode(user, meeting))]
        mode_form = VoteModeForm(modes=[(m.value, m.label) for m in modes], initial={"mode": default})
    entered = {}
    if row and entry.vote_mode in access.ENTERED:
        entered = {v.member_id: v for v in row.votes}
    return {
        "vote_form": VoteForm()
        if entry.vote_state == AgendaEntry.VoteState.OPEN and own and not has_voted and user.pk in counted
        else None,
        "my_vote": my_vote,
        "has_voted": has_voted,
        "mode_form": mode_form,
        "secret": entry.vote_mode == VoteMode.SECRET,
        # 举手、口头: each member counted, with the vote entered for him so far.
        "entry_sheet": [(people[pk], entered.get(pk)) for pk in access.speaking_order(meeting, counted)]
        if entry.vote_mode in access.ENTERED and runner
        else [],
        "votes_visible": entry.vote_state == AgendaEntry.VoteState.CLOSED and entry.vote_mode != VoteMode.SECRET,
        "vote_choices": Vote.Choice.choices,
    }


def _entry_context(request, meeting, entry, **forms):
    record = selectors.build_record(meeting)
    row = next((r for r in record.entries if r.entry.pk == entry.pk), None)
    user = request.user
    runner = access.runs(user, meeting)
    people = {a.person_id: a.person for a in meeting.attendance.all()}
    given = {o.member_id for o in row.opinions} if row else set()
    # 表态顺序: present, non-recused members, the chair last; the next who has not spoken first.
    order = access.speaking_order(meeting, row.facts["present"]) if row else []
    speakers = [people[pk] for pk in order if pk not in given and (runner or pk == user.pk)]
    corrector = access.corrects(user, meeting) and entry.is_open and meeting.state == Meeting.State.IN_PROGRESS
    context = {
        "meeting": meeting,
        "entry": entry,
        "row": row,
        "runner": runner,
        "is_chair": access.chairs(user, meeting),
        "opinion_form": OpinionForm(members=speakers, initial={"member": speakers[0].pk}) if speakers else None,
        "next_speaker": speakers[0] if speakers else None,
        "outcome_form": OutcomeForm(
            outcomes=[(o, services.Outcome(o).label) for o in services.allowed_outcomes(entry, meeting)]
        ),
        "reason_form": ReasonForm(),
        "vote_required": services.vote_required(entry),
        "recusable": [a.person for a in services.recusable(entry, meeting)] if row else [],
        "corrector": corrector,
        "stances": Opinion.Stance.choices,
        "attendance_corrections": [
            c for c in selectors.attendance_corrections(meeting) if c.entry_id in (None, entry.pk)
        ]
        if row
        else [],
    }
    context.update(_vote_context(request, meeting, entry, row))
    context.update(forms)
    from meetings.views_live import entry_live_extras  # the live parts (that module imports this one)

    context.update(entry_live_extras(meeting, entry, context))
    return context


@login_required
def entry_detail(request, pk: int):
    meeting, entry = _entry_or_404(request, pk)
    services.confidential_viewed(actor=request.user, entries=[entry])
    return render(request, "meetings/entry_detail.html", _entry_context(request, meeting, entry))


ENTRY_INPUTS = {
    "recuse": RecusalInput,
    "opinion": OpinionInput,
    "vote_open": VoteOpenInput,
    "vote": VoteInput,
    "vote_enter": VoteEnterInput,
    "vote_close": StepInput,
    "correct_opinion": OpinionCorrectInput,
    "correct_vote": VoteCorrectInput,
    "decide": OutcomeInput,
    "drop": ReasonInput,
    "up": StepInput,
    "down": StepInput,
}


def _handlers(user, pk: int) -> dict:
    return {
        "recuse": lambda d: services.entry_recuse(actor=user, entry_id=pk, member_id=d["member"], reason=d["reason"]),
        "opinion": lambda d: services.opinion_record(
            actor=user, entry_id=pk, member_id=d["member"], stance=d["stance"], text=d["text"]
        ),
        "vote_open": lambda d: services.vote_open(actor=user, entry_id=pk, mode=d["mode"]),
        "vote": lambda d: services.vote_cast(actor=user, entry_id=pk, choice=d["choice"]),
        "vote_enter": lambda d: services.vote_enter(actor=user, entry_id=pk, member_id=d["member"], choice=d["choice"]),
        "vote_close": lambda d: services.vote_close(actor=user, entry_id=pk),
        "correct_opinion": lambda d: services.opinion_correct(
            actor=user,
            opinion_id=_of_entry(Opinion, d["opinion"], pk),
            stance=d["stance"],
            text=d["text"],
            reason=d["reason"],
        ),
        "correct_vote": lambda d: services.vote_correct(
            actor=user, vote_id=_of_entry(Vote, d["vote"], pk), choice=d["choice"], reason=d["reason"]
        ),
        "decide": lambda d: services.entry_decide(actor=user, entry_id=pk, outcome=d["outcome"], note=d["note"]),
        "drop": lambda d: services.agenda_drop(actor=user, entry_id=pk, reason=d["reason"]),
        "up": lambda d: services.agenda_move(actor=user, entry_id=pk, up=True),
        "down": lambda d: services.agenda_move(actor=user, entry_id=pk, up=False),
    }


def _of_entry(model, row_id: int, entry_id: int) -> int:
    """A row named on this item's page belongs to this item: another item's row is not found here."""
    if not model.objects.filter(pk=row_id, entry_id=entry_id).exists():
        raise InvalidTransition(_("记录不存在"), status=404)
    return row_id


@login_required
@require_POST
def entry_act(request, pk: int, action: str):
    meeting, entry = _entry_or_404(request, pk)
    if action not in ENTRY_INPUTS:
        raise Http404
    try:
        _handlers(request.user, pk)[action](_read(request, meeting, action, ENTRY_INPUTS))
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
    "vote_enter": gettext_lazy("已登记该成员的表决。"),
    "vote_close": gettext_lazy("表决结束。"),
    "correct_opinion": gettext_lazy("已更正表态，原记录和更正理由保留在本议题的记录中。"),
    "correct_vote": gettext_lazy("已更正表决登记，原登记和更正理由保留在本议题的记录中。"),
    "decide": gettext_lazy("已记录结论。"),
    "drop": gettext_lazy("已撤出议程，议题已退回待上会。"),
}
