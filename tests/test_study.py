"""第一议题 and 中心组学习: the agenda opens with theory study where the body's policy says so, a
study records its texts, participants and reflections (心得体会), and the year's figures per body
and per person show and export at the seed's scale."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from core.errors import InvalidTransition
from core.models import AuditEvent
from decisions.models import Category
from meetings import services as meeting_services
from meetings.models import Meeting, Reflection, StudyParticipant, StudySession
from meetings.services import study as services
from org.models import MeetingBody, User
from tests.factories import at_state, body, meeting_for, running_meeting, with_materials


def refused(status: int, call, /, **kwargs) -> InvalidTransition:
    with pytest.raises(InvalidTransition) as caught:
        call(**kwargs)
    assert caught.value.status == status, caught.value.reason
    return caught.value


@pytest.fixture
def study_first(people):
    MeetingBody.objects.filter(code="PC").update(study_first=True)


def planned_with(people, *items):
    meeting = meeting_for("PC")
    for item in items:
        meeting_services.agenda_add(actor=people("partyoffice"), meeting_id=meeting.pk, item_id=item.pk)
        with_materials(item)
    return meeting


def ready(people, category):
    return at_state("ready", submitter=people("staff"), category=category)


# --- 第一议题: publishing ---------------------------------------------------------------------------


def test_a_pc_agenda_opening_with_a_decision_is_refused_with_the_reason(people, study_first):
    meeting = planned_with(people, ready(people, Category.REPORT), ready(people, Category.STUDY))

    e = refused(409, meeting_services.meeting_publish, actor=people("partyoffice"), meeting_id=meeting.pk)

    assert "第一议题" in e.reason and "例外理由" in e.reason
    assert Meeting.objects.get(pk=meeting.pk).state == Meeting.State.PLANNING


def test_an_agenda_opening_with_study_is_published(people, study_first):
    meeting = planned_with(people, ready(people, Category.STUDY), ready(people, Category.REPORT))

    meeting_services.meeting_publish(actor=people("partyoffice"), meeting_id=meeting.pk)

    meeting.refresh_from_db()
    assert meeting.state == Meeting.State.PUBLISHED and meeting.first_item_exception == ""


def test_an_exception_is_published_with_its_reason_on_record(people, study_first):
    meeting = planned_with(people, ready(people, Category.REPORT))

    meeting_services.meeting_publish(
        actor=people("partyoffice"), meeting_id=meeting.pk, exception_reason="  紧急会议，专题研究防汛  "
    )

    meeting.refresh_from_db()
    assert meeting.state == Meeting.State.PUBLISHED
    assert meeting.first_item_exception == "紧急会议，专题研究防汛"
    event = AuditEvent.objects.get(verb="meeting.publish", target_id=meeting.pk)
    assert event.reason == "紧急会议，专题研究防汛"


def test_the_policy_is_per_body(people):
    # Off for the Party committee (the administrator has not turned it on): no study item needed.
    meeting = planned_with(people, ready(people, Category.REPORT))
    meeting_services.meeting_publish(actor=people("partyoffice"), meeting_id=meeting.pk)
    assert Meeting.objects.get(pk=meeting.pk).state == Meeting.State.PUBLISHED


def test_the_meeting_page_asks_for_the_exception_and_shows_the_refusal(client, people, study_first):
    meeting = planned_with(people, ready(people, Category.REPORT))
    client.force_login(people("partyoffice"))

    page = client.get(reverse("meetings:detail", args=[meeting.pk]))
    assert 'data-testid="first-item-exception"' in page.content.decode()

    response = client.post(reverse("meetings:act", args=[meeting.pk, "publish"]), {"exception_reason": ""})
    assert response.status_code == 409 and "第一议题" in response.content.decode()

    response = client.post(reverse("meetings:act", args=[meeting.pk, "publish"]), {"exception_reason": "上级临时部署"})
    assert response.status_code == 302
    page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert "上级临时部署" in page


# --- the study record ---------------------------------------------------------------------------


@pytest.fixture
def pc_study(people):
    study = ready(people, Category.STUDY)
    decision = ready(people, Category.REPORT)
    meeting, entries = running_meeting([study, decision], absent=("member2",))
    return meeting, entries


def test_the_runner_records_the_texts_and_those_present(people, pc_study):
    meeting, entries = pc_study

    session = services.study_record(
        actor=people("partyoffice"), meeting_id=meeting.pk, texts="学习材料一\n\n学习材料二\n"
    )

    assert session.entry_id == entries[0].pk and session.body.code == "PC"
    assert session.text_list == ["学习材料一", "学习材料二"]
    present = set(meeting.attendance.filter(status="present").values_list("person_id", flat=True))
    assert set(session.participants.values_list("person_id", flat=True)) == present
    assert people("member2").pk not in present
    assert AuditEvent.objects.filter(verb="study.record", target_id=session.pk).exists()


def test_recording_is_refused_to_others_and_without_a_study_item(people):
    meeting, _ = running_meeting([ready(people, Category.REPORT)])

    refused(403, services.study_record, actor=people("member1"), meeting_id=meeting.pk, texts="x")
    e = refused(409, services.study_record, actor=people("partyoffice"), meeting_id=meeting.pk, texts="x")
    assert "没有学习议题" in e.reason


def test_a_planned_meeting_records_no_study_and_participants_must_attend(people, pc_study):
    planned = meeting_for("PC")
    refused(409, services.study_record, actor=people("partyoffice"), meeting_id=planned.pk, texts="x")
    meeting, _ = pc_study
    e = refused(
        409,
        services.study_record,
        actor=people("partyoffice"),
        meeting_id=meeting.pk,
        texts="x",
        participant_ids=[people("teacher").pk],
    )
    assert "出席或列席" in e.reason
    e = refused(409, services.study_record, actor=people("partyoffice"), meeting_id=meeting.pk, texts="  ")
    assert "学习篇目" in e.reason
    assert not StudySession.objects.exists()


def test_participants_write_their_reflection_once_others_may_not(people, pc_study):
    meeting, _ = pc_study
    session = services.study_record(actor=people("partyoffice"), meeting_id=meeting.pk, texts="学习材料")

    r = services.reflection_submit(actor=people("member1"), session_id=session.pk, text="深受教育。")

    assert Reflection.objects.get(pk=r.pk).author == people("member1")
    e = refused(409, services.reflection_submit, actor=people("member1"), session_id=session.pk, text="再写一篇")
    assert "已提交过" in e.reason
    e = refused(403, services.reflection_submit, actor=people("member2"), session_id=session.pk, text="我缺席了")
    assert "参加本次学习" in e.reason
    assert Reflection.objects.count() == 1


def test_optional_reflections_archive_at_once_and_then_nothing_is_written(people, pc_study):
    meeting, _ = pc_study
    session = services.study_record(actor=people("partyoffice"), meeting_id=meeting.pk, texts="学习材料")
    assert not session.reflections_required

    refused(403, services.study_archive, actor=people("member1"), session_id=session.pk)
    services.study_archive(actor=people("partyoffice"), session_id=session.pk)

    session.refresh_from_db()
    assert session.state == StudySession.State.ARCHIVED and session.archived_at
    e = refused(409, services.reflection_submit, actor=people("member1"), session_id=session.pk, text="迟到的心得")
    assert "已归档" in e.reason


def test_texts_are_corrected_with_a_version(people, pc_study):
    meeting, _ = pc_study
    session = services.study_record(actor=people("partyoffice"), meeting_id=meeting.pk, texts="旧篇目")

    services.study_texts_edit(actor=people("partyoffice"), session_id=session.pk, texts="新篇目", version=1)

    session.refresh_from_db()
    assert (session.texts, session.version) == ("新篇目", 2)
    e = refused(
        409, services.study_texts_edit, actor=people("partyoffice"), session_id=session.pk, texts="又改", version=1
    )
    assert "他人修改" in e.reason


# --- 中心组学习: a body of its own, reflections required --------------------------------------------


def central_group_meeting(people):
    cg = body("CG")
    assert cg.reflections_required and not cg.decides
    meeting = meeting_services.meeting_schedule(
        actor=people("partyoffice"), body=cg, starts_at=timezone.now() + dt.timedelta(days=3), place="党员活动室"
    )
    item = at_state("ready", submitter=people("partyoffice"), body_code="CG", category=Category.STUDY)
    meeting_services.agenda_add(actor=people("partyoffice"), meeting_id=meeting.pk, item_id=item.pk)
    with_materials(item)
    meeting_services.meeting_publish(actor=people("partyoffice"), meeting_id=meeting.pk)
    meeting_services.meeting_open(actor=people("partyoffice"), meeting_id=meeting.pk)
    for a in meeting.attendance.all():
        meeting_services.attendance_mark(
            actor=people("partyoffice"), meeting_id=meeting.pk, person_id=a.person_id, present=True
        )
    return meeting


def test_the_central_group_archives_only_when_everyone_wrote(people):
    meeting = central_group_meeting(people)
    session = services.study_record(actor=people("partyoffice"), meeting_id=meeting.pk, texts="中心组学习篇目")
    assert session.reflections_required
    participants = list(User.objects.filter(pk__in=session.participants.values("person_id")))
    assert len(participants) == 6

    for p in participants[:-1]:
        services.reflection_submit(actor=p, session_id=session.pk, text=f"{p}的心得体会。")
    e = refused(409, services.study_archive, actor=people("partyoffice"), session_id=session.pk)
    assert str(participants[-1]) in e.reason
    assert StudySession.objects.get(pk=session.pk).state == StudySession.State.OPEN

    services.reflection_submit(actor=participants[-1], session_id=session.pk, text="最后一篇。")
    services.study_archive(actor=people("partyoffice"), session_id=session.pk)
    assert StudySession.objects.get(pk=session.pk).state == StudySession.State.ARCHIVED


# --- pages ----------------------------------------------------------------------------------------


def test_the_study_pages_record_and_take_reflections(client, people, pc_study):
    meeting, _ = pc_study
    client.force_login(people("partyoffice"))
    form = client.get(reverse("meetings:study_new", args=[meeting.pk]))
    assert form.status_code == 200 and "参学人员" in form.content.decode()
    bad = client.post(reverse("meetings:study_new", args=[meeting.pk]), {"texts": "", "participants": []})
    assert bad.status_code == 400 and "请填写学习篇目" in bad.content.decode()
    ids = [str(people(u).pk) for u in ("secretary", "principal", "member1")]
    response = client.post(reverse("meetings:study_new", args=[meeting.pk]), {"texts": "篇目甲", "participants": ids})
    session = StudySession.objects.get(meeting=meeting)
    assert response.status_code == 302 and session.participants.count() == 3

    client.force_login(people("member1"))
    page = client.get(reverse("meetings:study", args=[session.pk])).content.decode()
    assert 'data-testid="reflection-form"' in page
    response = client.post(reverse("meetings:study_act", args=[session.pk, "reflect"]), {"text": "学思践悟。"})
    assert response.status_code == 302
    page = client.get(reverse("meetings:study", args=[session.pk])).content.decode()
    assert "学思践悟。" in page and 'data-testid="reflection-form"' not in page

    client.force_login(people("member2"))  # absent: not a participant
    response = client.post(reverse("meetings:study_act", args=[session.pk, "reflect"]), {"text": "x"})
    assert response.status_code == 403
    client.force_login(people("teacher"))  # sees neither the meeting nor the study
    assert client.get(reverse("meetings:study", args=[session.pk])).status_code == 404


def _year_of_study(people, sessions=38, per=20, wrote=6):
    """The seed's scale: 38 sessions a year, about 20 people each, some reflections each."""
    staff = [
        User.objects.create(username=f"s{i}", name=f"教师{i}", department=people("teacher").department)
        for i in range(per)
    ]
    pc = body("PC")
    day = dt.datetime(2026, 1, 5, 9, tzinfo=timezone.get_default_timezone())
    for n in range(sessions):
        when = day + dt.timedelta(days=9 * n)
        meeting = Meeting.objects.create(
            body=pc,
            title=f"第{n + 1}次学习",
            starts_at=when,
            place="会议室",
            chair=people("secretary"),
            secretary=people("partyoffice"),
            created_by=people("partyoffice"),
            state="adjourned",
        )
        session = StudySession.objects.create(
            meeting=meeting, body=pc, held_on=when.date(), texts="篇目", recorded_by=people("partyoffice")
        )
        StudyParticipant.objects.bulk_create([StudyParticipant(session=session, person=p) for p in staff])
        Reflection.objects.bulk_create([Reflection(session=session, author=p, text="心得") for p in staff[:wrote]])
    return staff


def test_the_year_page_counts_and_costs_the_same_at_the_seeds_scale(client, people, django_assert_max_num_queries):
    _year_of_study(people, sessions=38, per=20, wrote=6)
    client.force_login(people("secretary"))
    with django_assert_max_num_queries(14):  # session, user, 5 figures, savepoints and the page's context
        page = client.get(reverse("meetings:study_year"), {"year": 2026})
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="total-sessions">38<' in html
    assert 'data-testid="total-person-times">760<' in html
    assert 'data-testid="total-reflections">228<' in html


def test_others_see_their_own_line_only(client, people):
    staff = _year_of_study(people, sessions=3, per=4, wrote=1)
    client.force_login(staff[0])
    html = client.get(reverse("meetings:study_year"), {"year": 2026}).content.decode()
    assert 'data-testid="study-bodies"' not in html
    assert str(staff[0]) in html and str(staff[1]) not in html


def test_the_year_exports_per_body_per_person_and_session(client, people):
    staff = _year_of_study(people, sessions=3, per=4, wrote=2)
    User.objects.filter(pk=staff[0].pk).update(name="=HYPERLINK(1)")
    client.force_login(people("partyoffice"))
    response = client.get(reverse("meetings:study_year_xlsx"), {"year": 2026, "body": body("PC").pk})
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    by_body = list(wb.worksheets[0].iter_rows(values_only=True))
    assert by_body[1] == ("党委会", 3, 12, 6)
    names = [row[0] for row in wb.worksheets[1].iter_rows(values_only=True)]
    assert "'=HYPERLINK(1)" in names
    assert len(list(wb.worksheets[2].iter_rows())) == 4
