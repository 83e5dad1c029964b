"""A required text that shows nothing is as empty as no text at all.

Spaces of any width (tab, NBSP, the ideographic space U+3000) and invisible characters (the
zero-width space U+200B, the non-joiner U+200C and joiner U+200D, the word joiner U+2060, the
BOM U+FEFF) print as nothing: a title, reason or reply made of them would be a blank line in the
record. Every service that takes a required text refuses it with the same reason as an empty
one (core.text.clean_text says what is blank), and writes nothing; the forms refuse it too.
"""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from core.errors import InvalidTransition
from core.models import AuditEvent
from core.text import clean_text, is_blank
from decisions import services as item_services
from decisions.models import AgendaItem, State
from meetings import services as meeting_services
from meetings.models import Opinion
from notices import services as notice_services
from notices.models import Notice
from supervision import services as supervision_services
from supervision.models import Letter, LetterReply, Milestone, PatrolFinding, ProgressReport, Task
from tests.factories import (
    ItemFields,
    at_state,
    body,
    draft,
    head_of,
    meeting_for,
    organizer_of,
    reported_task,
    resolution_task,
    running_meeting,
    supervisor_of,
)

BLANKS = {
    "zero-width space": "\u200b",
    "zero-width non-joiner": "\u200c",
    "zero-width joiner": "\u200d",
    "word joiner": "\u2060",
    "BOM": "\ufeff",
    "ideographic space": "\u3000",
    "NBSP": "\xa0",
    "tab": "\t",
}


@pytest.fixture(params=list(BLANKS.values()), ids=list(BLANKS))
def blank(request):
    return request.param * 3


def test_blank_is_what_shows_nothing():
    for c in BLANKS.values():
        assert is_blank(c * 3) and is_blank(f" {c}\n{c} ")
    assert clean_text("\u200b\u3000标题\ufeff ") == "标题"
    assert clean_text("甲\u200d乙") == "甲\u200d乙"  # inside the text nothing is touched
    assert not is_blank("\x00")  # a NUL is refused as such (core.text.check_text), not as blank


# --- the entry points: each builds what it needs, and returns (act, what a refusal must leave as it was)


def _item_fields(field):
    def setup(people):
        staff = people("staff")
        before = AgendaItem.objects.count

        def act(value):
            item_services.item_create(actor=staff, requested_body=body("PC"), **ItemFields(**{field: value}))

        return act, before

    return setup


def _item_edit(people):
    staff = people("staff")
    item = draft(staff)

    def act(value):
        fields = {name: getattr(item, name) for name in item_services.ITEM_FIELDS}
        item_services.item_update(actor=staff, item_id=item.pk, version=item.version, **{**fields, "title": value})

    return act, lambda: AgendaItem.objects.values_list("title", "version").get(pk=item.pk)


def _item_step(state, step, who):
    def setup(people):
        item = at_state(state, submitter=people("staff"), consultees=[people("member1")])
        actor = people(who)

        def act(value):
            getattr(item_services, f"item_{step}")(actor=actor, item_id=item.pk, reason=value)

        return act, lambda: AgendaItem.objects.values_list("state", "version").get(pk=item.pk)

    return setup


def _concern(people):
    member1 = people("member1")
    item = at_state(State.CONSULTING, submitter=people("staff"), consultees=[member1])

    def act(value):
        item_services.item_consult_answer(actor=member1, item_id=item.pk, agree=False, text=value)

    return act, lambda: (AgendaItem.objects.values_list("state").get(pk=item.pk), item.consultations.get().answer)


def _task_fields(field):
    def setup(people):
        item = at_state(State.RESOLVED, submitter=people("staff"))
        resolution = item.resolutions.get()

        def act(value):
            if field == "title":
                resolution_task(resolution, title=value)
            else:
                resolution_task(resolution, milestones=[(value, timezone.localdate() + dt.timedelta(days=5), 1)])

        return act, lambda: (Task.objects.count(), Milestone.objects.count())

    return setup


def _task_report(people):
    t = _task(people)

    def act(value):
        supervision_services.task_report(actor=head_of(t), task_id=t.pk, text=value)

    return act, lambda: (ProgressReport.objects.count(), Task.objects.values_list("state").get(pk=t.pk))


def _task(people):
    return resolution_task(at_state(State.RESOLVED, submitter=people("staff")).resolutions.get())


def _task_return(people):
    t = reported_task(_task(people))

    def act(value):
        supervision_services.task_review(actor=supervisor_of(t), task_id=t.pk, decision="return", comment=value)

    return act, lambda: Task.objects.values_list("state", "version").get(pk=t.pk)


def _task_escalate(people):
    t = _task(people)

    def act(value):
        supervision_services.task_escalate(actor=supervisor_of(t), task_id=t.pk, reason=value)

    return act, lambda: Task.objects.values_list("escalation_level", "version").get(pk=t.pk)


def _notice(field):
    def setup(people):
        office = people("partyoffice")

        def act(value):
            fields = {"title": "学习上级文件", "body": "文件精神如下", field: value}
            notice_services.notice_create_upper_document(actor=office, everyone=True, **fields)

        return act, Notice.objects.count

    return setup


def _letter(field):
    def setup(people):
        staff = people("staff")

        def act(value):
            supervision_services.letter_write(actor=staff, **{"subject": "关于食堂", "body": "来信内容", field: value})

        return act, Letter.objects.count

    return setup


def _reply(people):
    letter = supervision_services.letter_write(actor=people("staff"), subject="关于食堂", body="来信内容")
    secretary = people("secretary")

    def act(value):
        supervision_services.letter_reply(actor=secretary, letter_id=letter.pk, body=value)

    return act, lambda: (LetterReply.objects.count(), Letter.objects.values_list("state").get(pk=letter.pk))


def _patrol(field):
    def setup(people):
        secretary = people("secretary")

        def act(value):
            fields = {"place": "第二食堂", "text": "后厨地面湿滑", field: value}
            supervision_services.finding_record(
                actor=secretary, patrolled_on=timezone.localdate() - dt.timedelta(days=1), **fields
            )

        return act, PatrolFinding.objects.count

    return setup


def _meeting_place(people):
    from meetings.models import Meeting

    def act(value):
        meeting_services.meeting_schedule(
            actor=organizer_of("PC"), body=body("PC"), starts_at=timezone.now() + dt.timedelta(days=3), place=value
        )

    return act, Meeting.objects.count


def _meeting_cancel(people):
    meeting = meeting_for("PC")

    def act(value):
        meeting_services.meeting_cancel(actor=organizer_of("PC"), meeting_id=meeting.pk, reason=value)

    return act, lambda: type(meeting).objects.values_list("state", "version").get(pk=meeting.pk)


def _agenda_drop(people):
    item = at_state(State.READY, submitter=people("staff"), consultees=[people("member1")])
    meeting = meeting_for("PC")
    entry = meeting_services.agenda_add(actor=organizer_of("PC"), meeting_id=meeting.pk, item_id=item.pk)

    def act(value):
        meeting_services.agenda_drop(actor=organizer_of("PC"), entry_id=entry.pk, reason=value)

    return act, lambda: (type(entry).objects.values_list("dropped_at").get(pk=entry.pk), item.state)


def _running_entry(people):
    item = at_state(State.READY, submitter=people("staff"), consultees=[people("member1")])
    meeting, (entry,) = running_meeting([item])
    return meeting, entry


def _recuse(people):
    meeting, entry = _running_entry(people)
    member2 = people("member2")

    def act(value):
        meeting_services.entry_recuse(actor=organizer_of("PC"), entry_id=entry.pk, member_id=member2.pk, reason=value)

    return act, lambda: entry.recusals.count()


def _defer(people):
    meeting, entry = _running_entry(people)

    def act(value):
        meeting_services.entry_decide(actor=organizer_of("PC"), entry_id=entry.pk, outcome="deferred", note=value)

    return act, lambda: type(entry).objects.values_list("outcome").get(pk=entry.pk)


ENTRY_POINTS = {
    "item title": _item_fields("title"),
    "item background": _item_fields("background"),
    "item proposal": _item_fields("proposal"),
    "item edit": _item_edit,
    "dept_return reason": _item_step(State.DEPT_REVIEW, "dept_return", "depthead"),
    "screen_return reason": _item_step(State.SCREENING, "screen_return", "secretary"),
    "screen_reject reason": _item_step(State.SCREENING, "screen_reject", "secretary"),
    "resubmit reason": _item_step(State.REVISING, "resubmit", "staff"),
    "withdraw reason": _item_step(State.SCREENING, "withdraw", "staff"),
    "consultation concern": _concern,
    "task title": _task_fields("title"),
    "milestone title": _task_fields("milestone"),
    "progress report": _task_report,
    "report returned": _task_return,
    "escalation reason": _task_escalate,
    "notice title": _notice("title"),
    "notice body": _notice("body"),
    "letter subject": _letter("subject"),
    "letter body": _letter("body"),
    "reply": _reply,
    "patrol place": _patrol("place"),
    "patrol finding": _patrol("text"),
    "meeting place": _meeting_place,
    "meeting cancelled": _meeting_cancel,
    "agenda drop": _agenda_drop,
    "recusal reason": _recuse,
    "deferral reason": _defer,
}


# Every kind of blank at once: the text is refused only if each one of them counts as blank
# (each kind alone is checked on clean_text above and on the pages below).
ALL_BLANKS = "".join(BLANKS.values())


@pytest.mark.parametrize("entry_point", list(ENTRY_POINTS))
def test_a_blank_required_text_is_refused_with_a_reason_and_nothing_is_written(entry_point, people):
    blank = ALL_BLANKS
    act, state = ENTRY_POINTS[entry_point](people)
    before, events = state(), AuditEvent.objects.count()
    with pytest.raises(InvalidTransition) as refused:
        act(blank)
    assert refused.value.status == 409
    assert refused.value.reason.strip()
    assert state() == before
    assert AuditEvent.objects.count() == events


def test_an_optional_opinion_text_of_blanks_is_kept_as_no_text(blank, people):
    meeting, entry = _running_entry(people)
    member1 = people("member1")
    meeting_services.opinion_record(
        actor=organizer_of("PC"), entry_id=entry.pk, member_id=member1.pk, stance="agree", text=blank
    )
    assert Opinion.objects.get(entry=entry).text == ""


# --- the pages say it too, and keep what was typed ------------------------------------------------

# A form strips spaces (an empty field is "required"); what is left of invisible characters is blank.
FORM_REFUSALS = ("这个字段是必填项。", "此项不能只有空格或不可见字符。")


def _refused_on_the_page(page: str) -> bool:
    return any(reason in page for reason in FORM_REFUSALS)


def test_the_item_form_refuses_a_blank_title_and_keeps_the_draft(blank, client, people):
    client.force_login(people("staff"))
    data = {
        "title": blank,
        "requested_body": body("PC").pk,
        "category": "decision",
        "background": "背景：现行做法需要调整。",
        "proposal": "方案：按新办法执行。",
    }
    response = client.post(reverse("decisions:new"), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert _refused_on_the_page(page)
    assert "背景：现行做法需要调整。" in page
    assert not AgendaItem.objects.exists()


@pytest.mark.parametrize(
    "url, data",
    [
        ("mailbox:new", {"subject": "{blank}", "body": "来信内容"}),
        ("notices:new", {"title": "{blank}", "body": "文件精神如下", "everyone": "on"}),
    ],
)
def test_other_forms_refuse_a_blank_required_text(url, data, blank, client, people):
    client.force_login(people("partyoffice"))
    letters, notices = Letter.objects.count(), Notice.objects.count()
    response = client.post(reverse(url), {k: v.format(blank=blank) for k, v in data.items()})
    assert response.status_code in (200, 400)
    assert _refused_on_the_page(response.content.decode())
    assert (Letter.objects.count(), Notice.objects.count()) == (letters, notices)


def test_a_blank_withdraw_reason_on_the_page_is_refused_with_its_reason(blank, client, people):
    item = at_state(State.SCREENING, submitter=people("staff"))
    client.force_login(people("staff"))
    response = client.post(reverse("decisions:act", args=[item.pk, "withdraw"]), {"reason": blank})
    assert response.status_code == 409
    assert "撤回须填写理由" in response.content.decode()
    item.refresh_from_db()
    assert item.state == State.SCREENING
