"""书记信箱: anonymous letters that keep no link to their writer, the query code, forwarding to a
department, reply deadlines in working days with reminders and escalation, and the rates."""

import datetime as dt
import hashlib
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps

from core.errors import InvalidTransition
from core.models import AuditEvent, Notification, Reminder
from org.models import Department, User
from supervision import jobs, selectors, services
from supervision.models import Holiday, Letter, LetterForward, LetterReply
from supervision.workdays import add_working_days

SH = ZoneInfo("Asia/Shanghai")
IP = "203.0.113.77"


def at(y, m, d, h=10):
    return time_machine.travel(dt.datetime(y, m, d, h, tzinfo=SH), tick=False)


def _all_rows() -> dict:
    """Every row of every table, as strings, by (table, pk)."""
    rows = {}
    for model in apps.get_models(include_auto_created=True):
        if not model._meta.managed or model._meta.proxy:
            continue
        fields = [f.attname for f in model._meta.concrete_fields]
        for row in model.objects.values_list(*fields):
            rows[(model._meta.db_table, str(row[0]))] = (model, dict(zip(fields, row, strict=True)))
    return rows


def test_an_anonymous_letter_leaves_no_trace_of_its_writer(
    client, people, settings, django_capture_on_commit_callbacks
):
    """A staff member, signed in on the phone, writes anonymously. Every table is read before and
    after: no row written or changed names the writer's id, username, name, IP or session."""
    settings.REDIS_URL = ""  # the jobs run here, so their rows are read too
    writer = people("staff")
    client.force_login(writer)
    client.get("/mailbox/")  # the session as it is before the letter
    session_key = client.session.session_key
    before = _all_rows()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/mailbox/anonymous/",
            {"subject": "食堂饭菜价格偏高", "body": "希望学校核查食堂定价。"},
            REMOTE_ADDR=IP,
            HTTP_USER_AGENT="TraceAgent/1.0",
        )

    assert response.status_code == 200
    code = response.context["code"]
    after = _all_rows()
    changed = {key: row for key, row in after.items() if before.get(key, (None, None))[1] != row[1]}
    letter = Letter.objects.get(subject="食堂饭菜价格偏高")
    assert letter.anonymous and letter.author_id is None
    assert letter.code_hash == hashlib.sha256(code.replace("-", "").encode()).hexdigest()
    # What was written: the letter, its audit event (no actor), the notifications to those who answer.
    tables = {table for table, _pk in changed}
    assert {"supervision_letter", "core_auditevent", "core_notification"} <= tables
    assert "django_session" not in tables
    assert AuditEvent.objects.get(verb="letter.write", target_id=letter.pk).actor_id is None
    traces = [str(writer.pk), writer.username, writer.name, IP, session_key, "TraceAgent", code]
    for (table, _pk), (model, row) in changed.items():
        for field in model._meta.concrete_fields:
            value = row[field.attname]
            if field.is_relation and field.related_model is User:
                assert value != writer.pk, (table, field.name)
            elif isinstance(value, str | dict | list):
                text = str(value)
                for trace in traces[1:]:
                    assert trace not in text, (table, field.name, trace)
    # The notifications go to the secretary and the party office, not to the writer.
    assert not Notification.objects.filter(recipient=writer).exists()


def test_the_writer_reads_the_reply_with_the_code_without_signing_in(client, people):
    letter, code = services.letter_write_anonymous(subject="实训室设备老化", body="请更新设备。")
    services.letter_reply(actor=people("secretary"), letter_id=letter.pk, body="已安排资产处更新。")

    response = client.post("/mailbox/query/", {"code": code.lower().replace("-", " ")})

    assert response.status_code == 200
    html = response.content.decode()
    assert "实训室设备老化" in html and "已安排资产处更新。" in html
    assert "吴" not in html and people("secretary").name not in html  # nobody is named either way


def test_a_wrong_code_reads_nothing(client, people):
    services.letter_write_anonymous(subject="某事", body="内容")
    response = client.post("/mailbox/query/", {"code": "AAAA-BBBB-CCCC-DDDD"})
    assert response.status_code == 404
    assert "查询码不正确" in response.content.decode()
    assert client.post("/mailbox/query/", {"code": ""}).status_code == 400


def test_the_code_is_kept_only_as_its_hash(people):
    letter, code = services.letter_write_anonymous(subject="某事", body="内容")
    letter.refresh_from_db()
    assert code not in str(Letter.objects.filter(pk=letter.pk).values().get())
    assert selectors.letter_by_code(code).pk == letter.pk
    assert selectors.letter_by_code(code[:-1] + ("A" if code[-1] != "A" else "B")) is None


def test_the_office_forwards_and_the_department_replies(client, people, settings, django_capture_on_commit_callbacks):
    settings.REDIS_URL = ""
    writer = people("staff")
    letter = services.letter_write(actor=writer, subject="排课冲突", body="周三下午两门课冲突。")
    jiaowu = Department.objects.get(name="教务处")

    with django_capture_on_commit_callbacks(execute=True):
        forward = services.letter_forward(
            actor=people("partyoffice"), letter_id=letter.pk, department_id=jiaowu.pk, note="请教务处核实。"
        )
    assert LetterForward.objects.get(pk=forward.pk).department == jiaowu
    assert AuditEvent.objects.filter(verb="letter.forward", target_id=letter.pk, actor=people("partyoffice")).exists()
    note = Notification.objects.get(recipient=people("depthead"), key=f"letter-forward:{forward.pk}")
    assert writer.name not in note.text and "排课冲突" not in note.text

    # The department head reads it without the writer, and replies.
    client.force_login(people("depthead"))
    html = client.get(f"/mailbox/{letter.pk}/").content.decode()
    assert "排课冲突" in html and writer.name not in html and "写信人信息不随信转交" in html
    response = client.post(f"/mailbox/{letter.pk}/", {"body": "已调整课表。"})
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.is_replied and LetterReply.objects.get(letter=letter).author == people("depthead")

    # Another department's head does not see it; staff may not forward.
    client.force_login(people("finance"))
    assert client.get(f"/mailbox/{letter.pk}/").status_code == 404
    with pytest.raises(InvalidTransition) as refused:
        services.letter_forward(actor=people("staff"), letter_id=letter.pk, department_id=jiaowu.pk)
    assert "只有党委书记或党委办公室可以转办来信" in refused.value.reason
    with pytest.raises(InvalidTransition) as twice:
        services.letter_forward(actor=people("secretary"), letter_id=letter.pk, department_id=jiaowu.pk)
    assert "已转办给教务处" in twice.value.reason


def test_a_head_of_another_department_may_not_reply(people):
    letter = services.letter_write(actor=people("staff"), subject="某事", body="内容")
    with pytest.raises(InvalidTransition) as refused:
        services.letter_reply(actor=people("finance"), letter_id=letter.pk, body="答复")
    assert refused.value.status == 403 and "来信转交部门的负责人" in refused.value.reason
    assert not LetterReply.objects.filter(letter=letter).exists()


def test_the_forward_page_shows_the_form_to_the_office_only(client, people):
    letter = services.letter_write(actor=people("staff"), subject="某事", body="内容")
    client.force_login(people("partyoffice"))
    assert 'data-testid="letter-forward-submit"' in client.get(f"/mailbox/{letter.pk}/").content.decode()
    response = client.post(f"/mailbox/{letter.pk}/forward/", {"department": "", "note": ""})
    assert response.status_code == 400 and "请选择承办部门" in response.content.decode()
    jiaowu = Department.objects.get(name="教务处")
    response = client.post(f"/mailbox/{letter.pk}/forward/", {"department": jiaowu.pk, "note": "请核实。"})
    assert response.status_code == 302
    assert LetterForward.objects.get(letter=letter).note == "请核实。"
    client.force_login(people("staff"))
    assert client.post(f"/mailbox/{letter.pk}/forward/", {"department": "1"}).status_code == 403


def test_the_reply_deadline_counts_working_days_past_the_national_day(people):
    # Written Monday 2026-09-28: the 国庆 week off, Saturday 10-10 worked: 15 working days → 10-23.
    assert add_working_days(dt.date(2026, 9, 28), 15) == dt.date(2026, 10, 23)
    with at(2026, 9, 28):
        letter = services.letter_write(actor=people("staff"), subject="某事", body="内容")
    assert letter.reply_due == dt.date(2026, 10, 23)


def test_the_school_holiday_table_moves_the_deadline(people, settings):
    settings.MAILBOX_REPLY_WORKING_DAYS = 2
    Holiday.objects.create(day=dt.date(2026, 11, 3), name="校运会")
    # Mon 11-02: Tue 11-03 off by the school's table → Wed 11-04, Thu 11-05.
    assert add_working_days(dt.date(2026, 11, 2), 2) == dt.date(2026, 11, 5)
    Holiday.objects.create(day=dt.date(2026, 11, 7), is_workday=True, name="调休")
    assert add_working_days(dt.date(2026, 11, 5), 2) == dt.date(2026, 11, 7)


def test_reminders_before_the_deadline_and_one_escalation_after(people, settings):
    settings.MAILBOX_REPLY_WORKING_DAYS = 5
    with at(2026, 11, 2):  # Monday → due Monday 11-09
        named = services.letter_write(actor=people("staff"), subject="某事", body="内容")
        anonymous, _code = services.letter_write_anonymous(subject="匿名的事", body="内容")
    assert named.reply_due == dt.date(2026, 11, 9)
    services.letter_forward(
        actor=people("partyoffice"), letter_id=anonymous.pk, department_id=Department.objects.get(name="教务处").pk
    )

    assert jobs.remind_letters(dt.date(2026, 11, 3)) == {"reminded": 0, "escalated": 0}
    first = jobs.remind_letters(dt.date(2026, 11, 4))  # 3 working days before
    assert first["reminded"] > 0 and first["escalated"] == 0
    assert Reminder.objects.filter(key=f"letter-due:{anonymous.pk}:{people('depthead').pk}").exists()
    assert jobs.remind_letters(dt.date(2026, 11, 5)) == {"reminded": 0, "escalated": 0}

    services.letter_reply(actor=people("secretary"), letter_id=named.pk, body="已答复")
    late = jobs.remind_letters(dt.date(2026, 11, 10))
    assert late == {"reminded": 0, "escalated": 1}  # only the unreplied anonymous letter
    assert set(
        Reminder.objects.filter(key__startswith=f"letter-overdue:{anonymous.pk}:").values_list(
            "recipient__username", flat=True
        )
    ) == {"secretary", "discipline"}
    assert AuditEvent.objects.filter(verb="letter.escalate", target_id=anonymous.pk, actor=None).count() == 1
    assert jobs.remind_letters(dt.date(2026, 11, 11))["escalated"] == 0
    text = Reminder.objects.filter(key__startswith="letter-overdue:").first().text
    assert "匿名的事" not in text and "2026-11-09" in text


def test_the_rates_count_anonymous_letters(client, people, settings):
    settings.MAILBOX_REPLY_WORKING_DAYS = 5
    with at(2026, 11, 2):
        on_time, _c1 = services.letter_write_anonymous(subject="按期", body="内容")
        late, _c2 = services.letter_write_anonymous(subject="逾期", body="内容")
        services.letter_write(actor=people("staff"), subject="未到期", body="内容")
    with at(2026, 11, 6):
        services.letter_reply(actor=people("secretary"), letter_id=on_time.pk, body="答复")
    with at(2026, 11, 12):
        services.letter_reply(actor=people("secretary"), letter_id=late.pk, body="答复")
        counts = selectors.on_time_counts(dt.date(2026, 11, 12))
        assert counts == {"on_time": 1, "judged": 3, "overdue_open": 1}
        client.force_login(people("secretary"))
        html = client.get("/mailbox/?box=all").content.decode()
    assert "已回复 2 / 共 3 封（67%）" in html
    assert "按期回复 1 / 3 封（33%），逾期未回复 1 封" in html
    assert html.count("匿名来信") >= 2


def test_an_anonymous_reply_notifies_nobody(people, settings, django_capture_on_commit_callbacks):
    settings.REDIS_URL = ""
    letter, _code = services.letter_write_anonymous(subject="某事", body="内容")
    with django_capture_on_commit_callbacks(execute=True):
        reply = services.letter_reply(actor=people("secretary"), letter_id=letter.pk, body="答复")
    assert not Notification.objects.filter(key=f"letter-reply:{reply.pk}").exists()


def test_the_anonymous_pages_need_no_login_and_refuse_blank_letters(client, db):
    assert client.get("/mailbox/anonymous/").status_code == 200
    response = client.post("/mailbox/anonymous/", {"subject": "", "body": ""})
    assert response.status_code == 400 and not Letter.objects.exists()
    assert client.get("/mailbox/query/").status_code == 200
