"""三通报： who a notice reaches, read receipts, the sender's unread list, PC resolutions queued for
the school affairs meeting (confidential ones in short form, to the attendees only), nothing noticed
before the PC resolution （两议）， and the monthly all-staff digest."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction

from core.errors import InvalidTransition
from core.models import AuditEvent, Notification
from decisions.models import MajorKind, State
from meetings import services as meeting_services
from meetings.models import AgendaEntry, Resolution
from notices import jobs, selectors, services
from notices.models import Notice, NoticeAudience, NoticeRecipient
from org.models import Department, Role, User
from tests.factories import all_opinions, at_state, meeting_for, running_meeting, vote_all

SHANGHAI = ZoneInfo("Asia/Shanghai")
STAFF = {
    "secretary",
    "principal",
    "member1",
    "member2",
    "vice",
    "discipline",
    "partyoffice",
    "affairsoffice",
    "depthead",
    "staff",
    "finance",
    "dean",
    "teacher",
}
PC_ATTENDEES = {"secretary", "principal", "member1", "member2", "discipline", "partyoffice"}


def user(username: str) -> User:
    return User.objects.get(username=username)


def dept(name: str) -> Department:
    return Department.objects.get(name=name)


def refused(status: int, call, /, contains: str = "", **kwargs) -> InvalidTransition:
    with pytest.raises(InvalidTransition) as caught:
        call(**kwargs)
    assert caught.value.status == status, caught.value.reason
    assert contains in caught.value.reason
    return caught.value


def upper(**audience) -> Notice:
    audience.setdefault("title", "关于学习贯彻上级文件精神的通报")
    audience.setdefault("body", "上级文件的主要精神及学校的贯彻要求。")
    return services.notice_create_upper_document(actor=user("partyoffice"), **audience)


def published(**audience) -> Notice:
    notice = upper(**audience)
    return services.notice_publish(actor=user("partyoffice"), notice_id=notice.pk)


def recipients(notice: Notice) -> set[str]:
    return set(NoticeRecipient.objects.filter(notice=notice).values_list("person__username", flat=True))


def resolved(code: str = "PC", **fields) -> Resolution:
    """An item resolved at a meeting of `code`, through the real steps."""
    item = at_state(State.RESOLVED, submitter=user("staff"), body_code=code, **fields)
    return Resolution.objects.get(item=item)


# --- audiences ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "audience, expected",
    [
        # The school's staff: the system administrator's account is not one of them.
        (lambda: {"everyone": True}, STAFF),
        # A department: the people in it and its head.
        (lambda: {"departments": [dept("教务处")]}, {"depthead", "staff"}),
        (lambda: {"departments": [dept("智能制造学院"), dept("财务处")]}, {"dean", "teacher", "finance"}),
        (lambda: {"roles": [Role.PC_MEMBER]}, {"secretary", "principal", "member1", "member2"}),
        (lambda: {"roles": [Role.DEPT_HEAD]}, {"partyoffice", "affairsoffice", "depthead", "finance", "dean"}),
        (lambda: {"people": [user("teacher"), user("vice")]}, {"teacher", "vice"}),
        # Combined: the union, each person once.
        (
            lambda: {"departments": [dept("教务处")], "roles": [Role.DISCIPLINE], "people": [user("staff")]},
            {"depthead", "staff", "discipline"},
        ),
    ],
    ids=["everyone", "department", "two departments", "role", "department heads", "people", "combined"],
)
def test_each_audience_reaches_the_right_people(people, audience, expected):
    notice = published(**audience())

    assert recipients(notice) == expected
    assert NoticeRecipient.objects.filter(notice=notice).count() == len(expected)
    assert notice.state == Notice.State.PUBLISHED and notice.published_at


def test_the_audience_is_kept_as_written(people):
    notice = upper(departments=[dept("教务处")], roles=[Role.PC_MEMBER], people=[user("teacher")])

    rows = list(NoticeAudience.objects.filter(notice=notice).order_by("id"))
    assert [(a.kind, a.department_id, a.role, a.person_id) for a in rows] == [
        ("department", dept("教务处").pk, "", None),
        ("role", None, "pc_member", None),
        ("person", None, "", user("teacher").pk),
    ]
    assert [a.label for a in rows] == ["部门：教务处", "角色：党委委员", "人员：黄磊"]
    with pytest.raises(TypeError):
        rows[0].delete()


def test_people_who_left_are_not_reached(people):
    User.objects.filter(username="teacher").update(is_active=False)
    notice = upper(people=[user("teacher")])

    refused(409, services.notice_publish, "没有人员", actor=user("partyoffice"), notice_id=notice.pk)
    assert Notice.objects.get(pk=notice.pk).state == Notice.State.DRAFT
    assert recipients(notice) == set()


# --- writing and publishing -----------------------------------------------------------------------------


@pytest.mark.parametrize("username", sorted(STAFF - {"partyoffice"}) + ["admin"])
def test_only_the_party_office_writes_a_notice(people, username):
    refused(
        403,
        services.notice_create_upper_document,
        "只有党委办公室",
        actor=user(username),
        title="标题",
        body="正文",
        everyone=True,
    )
    assert not Notice.objects.exists()


def test_a_notice_needs_a_title_a_body_and_an_audience(people):
    refused(409, upper, "标题和正文", title=" ", everyone=True)
    refused(409, upper, "通报范围")
    refused(409, upper, "未知角色", roles=["dean_of_everything"])
    assert not Notice.objects.exists()


def test_a_confidential_notice_is_not_for_everyone(people):
    refused(409, upper, "涉密通报不能发给全体", everyone=True, confidential=True)
    notice = published(roles=[Role.PC_MEMBER], confidential=True)
    assert notice.confidential and recipients(notice) == {"secretary", "principal", "member1", "member2"}


def test_only_the_party_office_publishes_and_only_once(people):
    notice = upper(everyone=True)
    assert AuditEvent.objects.filter(verb="notice.create", target_id=notice.pk).count() == 1

    refused(403, services.notice_publish, "只有党委办公室", actor=user("secretary"), notice_id=notice.pk)
    services.notice_publish(actor=user("partyoffice"), notice_id=notice.pk)
    refused(409, services.notice_publish, "已于", actor=user("partyoffice"), notice_id=notice.pk)
    refused(404, services.notice_publish, actor=user("partyoffice"), notice_id=999999)

    event = AuditEvent.objects.get(verb="notice.publish", target_id=notice.pk)
    assert (event.actor.username, event.from_state, event.to_state) == ("partyoffice", "draft", "published")
    assert event.data["recipients"] == len(STAFF)
    assert NoticeRecipient.objects.filter(notice=notice).count() == len(STAFF)  # not materialised twice


def test_publishing_notifies_every_recipient_once_after_the_commit(
    people, settings, django_capture_on_commit_callbacks
):
    settings.REDIS_URL = ""
    notice = upper(departments=[dept("教务处")], title="关于做好期末考试工作的通知精神")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.notice_publish(actor=user("partyoffice"), notice_id=notice.pk)
    assert not Notification.objects.exists()  # nothing before the commit
    for callback in callbacks:
        callback()

    notes = Notification.objects.filter(key=f"notice:{notice.pk}")
    assert {n.recipient.username for n in notes} == {"depthead", "staff"}
    assert {n.text for n in notes} == {"新通报：关于做好期末考试工作的通知精神"}
    assert {n.url for n in notes} == {f"/notices/{notice.pk}/"}
    assert services.notify_recipients(notice.pk) == 0  # a second run tells nobody again


def test_a_published_notice_is_never_deleted(people):
    notice = published(everyone=True)
    with pytest.raises(TypeError):
        notice.delete()
    with pytest.raises(TypeError):
        Notice.objects.filter(pk=notice.pk).delete()
    with pytest.raises(TypeError):
        NoticeRecipient.objects.filter(notice=notice).delete()
    receipt = NoticeRecipient.objects.filter(notice=notice).first()
    receipt.read_at = receipt.notice.published_at
    with pytest.raises(TypeError):
        receipt.save()
    assert Notice.objects.filter(pk=notice.pk).exists()


# --- reading -----------------------------------------------------------------------------------------------


def test_a_read_receipt_is_recorded_once(people, settings, django_capture_on_commit_callbacks):
    settings.REDIS_URL = ""
    with django_capture_on_commit_callbacks(execute=True):
        notice = published(departments=[dept("教务处")])
    staff = user("staff")

    first = datetime(2026, 5, 6, 9, 0, tzinfo=SHANGHAI)
    with time_machine.travel(first, tick=False):
        assert services.notice_mark_read(actor=staff, notice_id=notice.pk) is True
    with time_machine.travel(first + timedelta(days=1), tick=False):
        assert services.notice_mark_read(actor=staff, notice_id=notice.pk) is False

    receipt = NoticeRecipient.objects.get(notice=notice, person=staff)
    assert receipt.read_at == first
    assert AuditEvent.objects.filter(verb="notice.read", target_id=notice.pk, actor=staff).count() == 1
    # The bell has nothing more to say about it.
    assert Notification.objects.get(recipient=staff, key=f"notice:{notice.pk}").read_at == first
    assert Notification.objects.get(recipient=user("depthead"), key=f"notice:{notice.pk}").read_at is None


def test_reading_a_notice_one_was_not_sent_records_nothing(people):
    notice = published(departments=[dept("教务处")])
    draft = upper(everyone=True)

    assert services.notice_mark_read(actor=user("partyoffice"), notice_id=notice.pk) is False
    assert services.notice_mark_read(actor=user("teacher"), notice_id=notice.pk) is False
    assert services.notice_mark_read(actor=user("staff"), notice_id=draft.pk) is False
    assert not NoticeRecipient.objects.filter(read_at__isnull=False).exists()
    assert not AuditEvent.objects.filter(verb="notice.read").exists()


def test_the_sender_sees_who_has_not_read(people):
    notice = published(departments=[dept("教务处"), dept("财务处")])
    assert selectors.receipts(notice).total == 3 and selectors.receipts(notice).read == 0

    services.notice_mark_read(actor=user("staff"), notice_id=notice.pk)
    services.notice_mark_read(actor=user("finance"), notice_id=notice.pk)

    receipts = selectors.receipts(notice)
    assert (receipts.total, receipts.read, receipts.unread_count) == (3, 2, 1)
    assert [r.person.username for r in receipts.unread] == ["depthead"]


def test_unread_first_in_my_notices(people):
    older = published(everyone=True, title="较早的通报")
    newer = published(everyone=True, title="较新的通报")
    staff = user("staff")
    services.notice_mark_read(actor=staff, notice_id=newer.pk)
    third = published(everyone=True, title="最新的通报")

    assert [r.notice_id for r in selectors.inbox(staff)] == [third.pk, older.pk, newer.pk]
    assert [r.notice_id for r in selectors.inbox(staff, q="较新")] == [newer.pk]
    assert selectors.unread_count(staff) == 2


# --- who sees a notice -------------------------------------------------------------------------------------


LEADERS = {"secretary", "principal", "member1", "member2", "vice", "discipline"}


def visible_to(notice: Notice) -> set[str]:
    return {u.username for u in User.objects.all() if selectors.notice_detail(u, notice.pk) is not None}


def test_a_notice_is_seen_by_its_recipients_its_writer_and_the_party_office(people):
    to_department = published(departments=[dept("财务处")])
    draft = upper(everyone=True)
    confidential = published(people=[user("member2")], confidential=True)

    # Leaders see everything not confidential (DOMAIN.md), a department's notice too.
    assert visible_to(to_department) == {"finance", "partyoffice"} | LEADERS
    assert visible_to(draft) == {"partyoffice"}  # a draft is its writer's (the party office's)
    # Confidential: its audience and its writer alone.
    assert visible_to(confidential) == {"member2", "partyoffice"}


# --- 党委会决议 → 校务会通报 ------------------------------------------------------------------------------------


def test_a_pc_resolution_is_noticed_to_everyone_and_queued_for_the_next_school_affairs_meeting(people):
    later = meeting_for("SA", days_ahead=20)
    first = meeting_for("SA", days_ahead=10)
    resolution = resolved("PC", title="关于修订教学工作量办法的请示", proposal="方案：自下学期起执行新办法。")

    notice = services.notice_for_resolution(resolution_id=resolution.pk, actor=user("partyoffice"))

    assert notice.level == Notice.Level.PC_RESOLUTION and notice.state == Notice.State.PUBLISHED
    assert notice.resolution == resolution and not notice.confidential
    assert notice.meeting == first and notice.meeting != later
    assert resolution.number in notice.title and "关于修订教学工作量办法的请示" in notice.title
    assert "方案：自下学期起执行新办法。" in notice.body
    assert [a.kind for a in notice.audiences.all()] == ["everyone"]
    assert recipients(notice) == STAFF
    # The school affairs meeting's page can list what it reads out.
    assert list(selectors.for_meeting(user("affairsoffice"), first.pk)) == [notice]
    assert list(selectors.for_meeting(user("affairsoffice"), later.pk)) == []


def test_a_resolution_is_noticed_once_however_often_it_is_asked(people):
    resolution = resolved("PC")

    first = services.notice_for_resolution(resolution_id=resolution.pk)
    again = services.notice_for_resolution(resolution_id=resolution.pk)

    assert first.pk == again.pk
    assert Notice.objects.filter(resolution=resolution).count() == 1
    assert NoticeRecipient.objects.filter(notice=first).count() == len(STAFF)
    assert AuditEvent.objects.filter(verb="notice.publish", target_id=first.pk).count() == 1


def test_a_confidential_resolution_is_noticed_in_short_form_to_the_attendees_only(people):
    resolution = resolved(
        "PC", confidential=True, title="关于某干部问题线索的处置意见", proposal="方案：机密处置措施。"
    )

    notice = services.notice_for_resolution(resolution_id=resolution.pk)

    assert notice.confidential
    assert notice.title == f"党委会决议〔{resolution.year}〕{resolution.seq}号（涉密）"
    for secret in ("关于某干部问题线索的处置意见", "机密处置措施"):
        assert secret not in notice.title and secret not in notice.body
    assert resolution.number in notice.body
    assert [a.kind for a in notice.audiences.all()] == ["attendees"]
    # The PC meeting's members, its observer (纪委书记), chair and recorder (党委办公室); not the
    # submitter, not other leaders.
    assert recipients(notice) == PC_ATTENDEES
    assert visible_to(notice) == PC_ATTENDEES


def test_a_view_of_a_confidential_notice_is_on_record(people):
    notice = published(people=[user("member2")], confidential=True)
    open_notice = published(people=[user("member2")])

    services.notice_viewed(actor=user("member2"), notice=notice)
    services.notice_viewed(actor=user("member2"), notice=open_notice)

    assert AuditEvent.objects.filter(verb="notice.view", target_id=notice.pk).count() == 1
    assert not AuditEvent.objects.filter(verb="notice.view", target_id=open_notice.pk).exists()


def test_only_pc_resolutions_are_noticed(people):
    po_resolution = resolved("PO")  # a routine matter the principal's office meeting decides

    assert services.notice_for_resolution(resolution_id=po_resolution.pk) is None
    assert not Notice.objects.exists()


def test_nothing_on_a_two_deliberation_item_is_noticed_before_the_pc_resolution(people):
    """两议： PO deliberates a 三重一大 item and passes it on; only the PC resolution is noticed."""
    item = at_state(
        State.READY,
        submitter=user("staff"),
        consultees=[user("member1")],
        body_code="PO",
        major_kind=MajorKind.FUNDS,
        amount=500000,
        title="关于购置实训设备的请示",
    )
    po, (po_entry,) = running_meeting([item], "PO")
    all_opinions(po_entry, po)
    vote_all(po_entry, po, "for")
    meeting_services.entry_decide(
        actor=user("affairsoffice"), entry_id=po_entry.pk, outcome=AgendaEntry.Outcome.PASSED_TO_PC
    )

    assert not Resolution.objects.filter(item=item).exists()
    assert not Notice.objects.exists()

    item.refresh_from_db()
    pc, (pc_entry,) = running_meeting([item], "PC")
    all_opinions(pc_entry, pc)
    vote_all(pc_entry, pc, "for")
    meeting_services.entry_decide(actor=user("partyoffice"), entry_id=pc_entry.pk, outcome=AgendaEntry.Outcome.PASSED)
    resolution = Resolution.objects.get(item=item)

    notice = services.notice_for_resolution(resolution_id=resolution.pk)

    assert resolution.body.code == "PC"
    assert Notice.objects.get() == notice
    assert notice.resolution == resolution and "关于购置实训设备的请示" in notice.title


# --- queued for the meeting ----------------------------------------------------------------------------------


def test_a_notice_waits_for_the_next_school_affairs_meeting_to_be_scheduled(people):
    affairsoffice = user("affairsoffice")
    notice = services.notice_for_resolution(resolution_id=resolved("PC").pk)
    assert notice.meeting is None  # no school affairs meeting planned yet

    later = meeting_for("SA", days_ahead=12)
    services.attach_pending_to_meeting(meeting_id=later.pk)
    notice.refresh_from_db()
    assert notice.meeting == later
    assert services.attach_pending_to_meeting(meeting_id=later.pk) == 0  # nothing twice

    # An earlier one is scheduled: it is the next, the notice goes there.
    sooner = meeting_for("SA", days_ahead=5)
    services.attach_pending_to_meeting(meeting_id=sooner.pk)
    notice.refresh_from_db()
    assert notice.meeting == sooner

    # That one is cancelled: the notice goes back to the next one still to come.
    meeting_services.meeting_cancel(actor=affairsoffice, meeting_id=sooner.pk, reason="与招生工作冲突")
    services.attach_pending_to_meeting(meeting_id=sooner.pk)
    notice.refresh_from_db()
    assert notice.meeting == later
    assert AuditEvent.objects.filter(verb="notice.queue", target_id=notice.pk).count() >= 2


def test_a_meeting_of_another_body_takes_no_resolution_notices(people):
    notice = services.notice_for_resolution(resolution_id=resolved("PC").pk)
    po = meeting_for("PO", days_ahead=4)

    assert services.attach_pending_to_meeting(meeting_id=po.pk) == 0
    notice.refresh_from_db()
    assert notice.meeting is None


def test_a_notice_stays_with_the_meeting_that_read_it_out(people):
    notice = services.notice_for_resolution(resolution_id=resolved("PC").pk)
    held = meeting_for("SA", days_ahead=3)
    services.attach_pending_to_meeting(meeting_id=held.pk)
    # The meeting is held (opened): whatever is scheduled after it does not take the notice away.
    held.state = "in_progress"
    held.save(update_fields=["state"])

    following = meeting_for("SA", days_ahead=30)
    services.attach_pending_to_meeting(meeting_id=following.pk)

    notice.refresh_from_db()
    assert notice.meeting == held


def test_an_upper_level_document_is_read_out_at_the_next_pc_meeting(people):
    pc = meeting_for("PC", days_ahead=6)
    notice = published(roles=[Role.PC_MEMBER])
    assert notice.meeting == pc


# --- 全教会月度通报 -----------------------------------------------------------------------------------------


def test_the_monthly_digest_lists_the_months_pc_resolutions_once(people):
    with time_machine.travel(datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI)):
        open_one = resolved("PC", title="关于调整校历的请示", proposal="方案：五一假期调课。")
        po_one = resolved("PO", title="关于更换教室投影仪的请示")
    with time_machine.travel(datetime(2026, 3, 31, 23, 30, tzinfo=SHANGHAI)):
        secret = resolved("PC", confidential=True, title="关于某人事问题的处理意见", proposal="机密方案")
    with time_machine.travel(datetime(2026, 4, 1, 0, 10, tzinfo=SHANGHAI)):
        april = resolved("PC", title="关于四月份工作安排的请示")
    assert secret.issued_at < datetime(2026, 4, 1, tzinfo=SHANGHAI) <= april.issued_at

    with time_machine.travel(datetime(2026, 4, 2, 8, 0, tzinfo=SHANGHAI)):
        assembly = meeting_for("AS", days_ahead=3)
        digest_id = jobs.compile_monthly_digest()
        assert jobs.compile_monthly_digest() == digest_id  # any number of runs: one digest

    digest = Notice.objects.get(pk=digest_id)
    assert Notice.objects.filter(level=Notice.Level.MONTHLY_DIGEST).count() == 1
    assert digest.title == "2026年3月全教会通报"
    assert digest.period.isoformat() == "2026-03-01"
    assert digest.state == Notice.State.PUBLISHED and digest.meeting == assembly
    # The month's PC resolutions: the open one in full, the confidential one by number only.
    assert open_one.number in digest.body and "关于调整校历的请示" in digest.body and "五一假期调课" in digest.body
    assert f"党委会决议〔{secret.year}〕{secret.seq}号（涉密）" in digest.body
    assert "关于某人事问题的处理意见" not in digest.body and "机密方案" not in digest.body
    # Not PO's, not April's.
    assert po_one.number not in digest.body and "关于更换教室投影仪的请示" not in digest.body
    assert april.number not in digest.body
    assert "共形成决议 2 项" in digest.body
    assert [a.kind for a in digest.audiences.all()] == ["everyone"]
    assert recipients(digest) == STAFF


def test_a_month_without_resolutions_still_gets_its_digest(people):
    with time_machine.travel(datetime(2026, 3, 1, 0, 5, tzinfo=SHANGHAI)):
        digest = Notice.objects.get(pk=jobs.compile_monthly_digest())
    assert digest.title == "2026年2月全教会通报"
    assert "党委会未形成决议" in digest.body


def test_a_month_is_digested_only_once_it_has_ended(people):
    with time_machine.travel(datetime(2026, 4, 30, 23, 59, tzinfo=SHANGHAI)):
        refused(409, services.digest_compile, "尚未结束", year=2026, month=4)
    refused(409, services.digest_compile, "1 至 12", year=2026, month=13)
    assert not Notice.objects.exists()


def test_the_digest_job_turns_the_year(people):
    with time_machine.travel(datetime(2027, 1, 1, 0, 1, tzinfo=SHANGHAI)):
        digest = Notice.objects.get(pk=jobs.compile_monthly_digest())
    assert digest.title == "2026年12月全教会通报"


# --- on PostgreSQL the database keeps the record too -------------------------------------------------------


@pytest.mark.postgres
def test_postgres_refuses_to_change_what_was_noticed(people):
    from django.db import connection
    from django.db.utils import DatabaseError

    notice = published(departments=[dept("教务处")])
    services.notice_mark_read(actor=user("staff"), notice_id=notice.pk)
    draft = upper(everyone=True)
    meeting = meeting_for("PC", days_ahead=9)

    refused_sql = [
        ("UPDATE notices_notice SET title = 'changed' WHERE id = %s", [notice.pk], "published"),
        ("DELETE FROM notices_notice WHERE id = %s", [notice.pk], "published"),
        ("DELETE FROM notices_noticeaudience WHERE notice_id = %s", [notice.pk], "append-only"),
        ("UPDATE notices_noticerecipient SET read_at = now() WHERE notice_id = %s", [notice.pk], "set once"),
        ("DELETE FROM notices_noticerecipient WHERE notice_id = %s", [notice.pk], "set once"),
    ]
    for sql, params, message in refused_sql:
        with pytest.raises(DatabaseError, match=message), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)

    # Allowed: the first read of an unread receipt, queueing for a meeting, editing a draft.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE notices_noticerecipient SET read_at = now() WHERE notice_id = %s AND read_at IS NULL",
            [notice.pk],
        )
        cursor.execute("UPDATE notices_notice SET meeting_id = %s WHERE id = %s", [meeting.pk, notice.pk])
        cursor.execute("UPDATE notices_notice SET title = 'draft edit' WHERE id = %s", [draft.pk])
    assert Notice.objects.get(pk=notice.pk).meeting == meeting
    assert not NoticeRecipient.objects.filter(notice=notice, read_at__isnull=True).exists()
