"""Hostile text in every field a person can fill: stored as given or refused with a reason, and
always shown escaped.

The values: script tags, 10,000 characters, an RTL override (U+202E), a NUL byte and SQL
metacharacters. Django's form fields already refuse NUL (ProhibitNullCharactersValidator);
PostgreSQL cannot store it in a text column at all, so the services refuse it too, with the
same reason whichever door it comes through (core.text.check_text). A value longer than its
column is refused by the service rather than left to the database (which on PostgreSQL would
answer with an error page, and on SQLite would store it).
"""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from core.errors import InvalidTransition
from decisions import services as item_services
from decisions.forms import ItemForm
from decisions.models import AgendaItem, Consultation, State
from meetings import services as meeting_services
from meetings.models import Opinion
from notices import services as notice_services
from notices.models import Notice
from org.models import User
from supervision import services as supervision_services
from supervision.models import Letter, LetterReply, PatrolFinding, ProgressReport
from tests.factories import at_state, draft, head_of, organizer_of, resolution_task, running_meeting

SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'
LONG = "长" * 10_000
RTL = "发票\u202egpj.exe 付款"
NUL = "正文\x00之后"
SQL = "'; DROP TABLE decisions_agendaitem; -- \" OR 1=1 /* %_ \\"
HOSTILE = {"script": SCRIPT, "long": LONG, "rtl": RTL, "nul": NUL, "sql": SQL}

NUL_REASON = "空字符"


def _item_field(name):
    def write(people, value):
        staff = people("staff")
        item = draft(staff, **{name: value})
        return (
            lambda: getattr(AgendaItem.objects.get(pk=item.pk), name),
            reverse("decisions:detail", args=[item.pk]),
            staff,
        )

    return write


def _consultation(people, value):
    member1 = people("member1")
    item = at_state(State.CONSULTING, submitter=people("staff"), consultees=[member1])
    item_services.item_consult_answer(actor=member1, item_id=item.pk, agree=False, text=value)
    return lambda: Consultation.objects.get(item=item).text, reverse("decisions:detail", args=[item.pk]), member1


def _opinion(people, value):
    item = at_state(State.READY, submitter=people("staff"), consultees=[people("member1")])
    meeting, (entry,) = running_meeting([item])
    member1 = people("member1")
    meeting_services.opinion_record(
        actor=organizer_of("PC"), entry_id=entry.pk, member_id=member1.pk, stance="agree", text=value
    )
    return lambda: Opinion.objects.get(entry=entry).text, reverse("meetings:entry", args=[entry.pk]), member1


def _letter_field(name):
    def write(people, value):
        staff = people("staff")
        fields = {"subject": "关于食堂", "body": "来信内容", name: value}
        letter = supervision_services.letter_write(actor=staff, **fields)
        return (
            lambda: getattr(Letter.objects.get(pk=letter.pk), name),
            reverse("mailbox:detail", args=[letter.pk]),
            staff,
        )

    return write


def _reply(people, value):
    staff = people("staff")
    letter = supervision_services.letter_write(actor=staff, subject="关于食堂", body="来信内容")
    reply = supervision_services.letter_reply(actor=people("secretary"), letter_id=letter.pk, body=value)
    return lambda: LetterReply.objects.get(pk=reply.pk).body, reverse("mailbox:detail", args=[letter.pk]), staff


@pytest.fixture
def task(people):
    item = at_state(State.RESOLVED, submitter=people("staff"))
    return resolution_task(item.resolutions.get())


def _progress_report(people, value, task):
    head = head_of(task)
    supervision_services.task_report(actor=head, task_id=task.pk, text=value)
    return lambda: ProgressReport.objects.get(task=task).text, reverse("supervision:detail", args=[task.pk]), head


def _patrol_field(name):
    def write(people, value):
        secretary = people("secretary")
        fields = {"place": "第二食堂", "text": "后厨地面湿滑", name: value}
        finding = supervision_services.finding_record(
            actor=secretary, patrolled_on=timezone.localdate() - dt.timedelta(days=1), **fields
        )
        url = reverse("patrols:detail", args=[finding.pk])
        return lambda: getattr(PatrolFinding.objects.get(pk=finding.pk), name), url, secretary

    return write


def _notice_field(name):
    def write(people, value):
        office = people("partyoffice")
        fields = {"title": "学习上级文件", "body": "文件精神如下", name: value}
        notice = notice_services.notice_create_upper_document(actor=office, everyone=True, **fields)
        return (
            lambda: getattr(Notice.objects.get(pk=notice.pk), name),
            reverse("notices:detail", args=[notice.pk]),
            office,
        )

    return write


FIELDS = {
    "item title": _item_field("title"),
    "item background": _item_field("background"),
    "item proposal": _item_field("proposal"),
    "consultation answer": _consultation,
    "meeting opinion": _opinion,
    "letter subject": _letter_field("subject"),
    "letter body": _letter_field("body"),
    "letter reply": _reply,
    "progress report": _progress_report,
    "patrol place": _patrol_field("place"),
    "patrol finding": _patrol_field("text"),
    "notice title": _notice_field("title"),
    "notice body": _notice_field("body"),
}
# Columns with a length: what a service may do with 10,000 characters there.
LIMITED = {"item title", "letter subject", "patrol place", "notice title"}
# These two cut the text to the column (a subject, a place: the rest is not the point).
TRUNCATED = {"letter subject", "patrol place"}


@pytest.mark.parametrize("field", FIELDS)
def test_hostile_text_is_stored_safely_or_refused_and_shown_escaped(client, people, field, request):
    write = FIELDS[field]
    extra = [request.getfixturevalue("task")] if field == "progress report" else []
    for kind, value in HOSTILE.items():
        if kind == "nul":
            with pytest.raises(InvalidTransition) as refused:
                write(people, value, *extra)
            assert NUL_REASON in refused.value.reason, (field, refused.value.reason)
            assert refused.value.status == 409
            continue
        if kind == "long" and field in LIMITED and field not in TRUNCATED:
            with pytest.raises(InvalidTransition) as refused:
                write(people, value, *extra)
            assert "不能超过 200 个字" in refused.value.reason, (field, refused.value.reason)
            continue
        stored, url, viewer = write(people, value, *extra)
        expected = value[:200] if kind == "long" and field in TRUNCATED else value
        assert stored() == expected, (field, kind)
        if extra:  # one report waits at a time: the next value needs a task of its own
            extra = [resolution_task(extra[0].resolution)]

        client.force_login(viewer)
        response = client.get(url)
        assert response.status_code == 200, (field, kind, url)
        page = response.content.decode()
        assert "<script>alert" not in page and "<img src=x onerror" not in page, (field, kind, url)
        if kind == "script":
            assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page, (field, url)
        elif kind == "long":
            assert "长" * 200 in page, (field, url)
        elif kind == "rtl":
            assert "\u202e" in page  # kept as written: escaping leaves it, and it is no markup
        elif kind == "sql":
            assert "&#x27;; DROP TABLE decisions_agendaitem; -- &quot; OR 1=1" in page, (field, url)


def test_the_forms_refuse_nul_too(people):
    form = ItemForm(data={"title": "关于\x00请示", "category": "decision", "background": "b", "proposal": "p"})
    assert not form.is_valid()
    assert "title" in form.errors


def test_a_refused_nul_writes_nothing(people):
    before = User.objects.count(), AgendaItem.objects.count()
    with pytest.raises(InvalidTransition):
        draft(people("staff"), title="关于\x00请示")
    assert (User.objects.count(), AgendaItem.objects.count()) == before
