"""留痕： every step records who, when, what and why, and no record is ever edited in place."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from core.models import AuditEvent
from decisions import services
from decisions.models import State
from tests.factories import draft


def history_section(html: str) -> str:
    start = html.index('data-testid="history"')
    return html[start : html.index("</ol>", start)]


def in_order(text: str, parts: list[str]) -> bool:
    at = 0
    for part in parts:
        found = text.find(part, at)
        if found < 0:
            return False
        at = found + len(part)
    return True


def events_of(item):
    return AuditEvent.objects.filter(target_type="decisions.agendaitem", target_id=item.pk).order_by("id")


@pytest.fixture
def long_item(people):
    """An item that went round the loop: returned, consulted with a concern, resubmitted, ready."""
    staff, depthead, secretary, m1 = people("staff"), people("depthead"), people("secretary"), people("member1")
    item = draft(staff, title="关于采购实训设备的请示", proposal="采购100台")
    services.item_submit(actor=staff, item_id=item.pk)
    services.item_dept_return(actor=depthead, item_id=item.pk, reason="请补充预算明细")
    item.refresh_from_db()
    fields = {name: getattr(item, name) for name in services.ITEM_FIELDS}
    services.item_update(actor=staff, item_id=item.pk, version=item.version, **{**fields, "proposal": "采购80台"})
    services.item_submit(actor=staff, item_id=item.pk)
    services.item_dept_approve(actor=depthead, item_id=item.pk, comment="同意报送")
    services.item_screen_accept(actor=secretary, item_id=item.pk, consultees=[m1], comment="请张副校长把关")
    services.item_consult_answer(actor=m1, item_id=item.pk, agree=False, text="预算偏高，请压缩")
    services.item_resubmit(actor=staff, item_id=item.pk, reason="已压缩至8万元")
    services.item_consult_answer(actor=m1, item_id=item.pk, agree=True, text="同意")
    item.refresh_from_db()
    assert item.state == State.READY
    return item


def test_every_step_is_on_record_with_who_what_and_why(long_item, people):
    rows = [
        (e.verb, e.actor.username, e.from_state, e.to_state, e.reason)
        for e in events_of(long_item).exclude(verb="item.view")
    ]
    assert rows == [
        ("item.create", "staff", "", "draft", ""),
        ("item.submit", "staff", "draft", "dept_review", ""),
        ("item.dept_return", "depthead", "dept_review", "returned", "请补充预算明细"),
        ("item.edit", "staff", "returned", "returned", ""),
        ("item.submit", "staff", "returned", "dept_review", ""),
        ("item.dept_approve", "depthead", "dept_review", "screening", "同意报送"),
        ("item.screen_accept", "secretary", "screening", "consulting", "请张副校长把关"),
        ("item.consult_answer", "member1", "consulting", "revising", "预算偏高，请压缩"),
        ("item.resubmit", "staff", "revising", "consulting", "已压缩至8万元"),
        ("item.consult_answer", "member1", "consulting", "ready", "同意"),
    ]
    assert all(e.created_at is not None for e in events_of(long_item))


def test_an_edit_records_the_old_and_the_new_value(long_item):
    edit = events_of(long_item).get(verb="item.edit")
    assert edit.data == {"changed": {"proposal": ["采购100台", "采购80台"]}}


def test_the_item_page_shows_who_when_what_and_why_of_each_step(client, long_item, people):
    client.force_login(people("staff"))
    history = history_section(client.get(f"/items/{long_item.pk}/").content.decode())
    expected = []
    for event, what in zip(
        events_of(long_item),
        [
            "创建草稿",
            "提交",
            # The department head's step is named as in the review chain (审阅).
            "审阅：退回修改",
            "修改内容（建议方案）",
            "提交",
            "审阅：通过",
            "研判同意上会",
            "酝酿意见：有不同意见",
            "修改后重新酝酿",
            "酝酿意见：同意",
        ],
    ):
        when = timezone.localtime(event.created_at).strftime("%Y-%m-%d %H:%M:%S")
        expected += [when, str(event.actor), what]
        if event.reason:
            expected.append(event.reason)
    assert in_order(history, expected), history


def test_the_history_shows_the_state_each_step_led_to(client, long_item, people):
    client.force_login(people("member1"))
    history = history_section(client.get(f"/items/{long_item.pk}/").content.decode())
    assert in_order(history, ["审阅：退回修改 → 退回修改", "研判同意上会 → 会前酝酿中", "酝酿意见：同意 → 待上会"])


def test_views_are_listed_apart_from_the_steps(client, people):
    staff = people("staff")
    item = draft(staff, confidential=True)
    client.force_login(staff)
    client.get(f"/items/{item.pk}/")
    history = history_section(client.get(f"/items/{item.pk}/").content.decode())
    assert events_of(item).filter(verb="item.view").count() == 2
    assert history.count("<li") == 1  # the creation only


# --- append-only -----------------------------------------------------------------------------


@pytest.fixture
def event(people):
    item = draft(people("staff"))
    services.item_withdraw(actor=people("staff"), item_id=item.pk, reason="原来的理由")
    return AuditEvent.objects.get(verb="item.withdraw")


def unchanged(event):
    fresh = AuditEvent.objects.get(pk=event.pk)
    return (fresh.reason, fresh.verb, fresh.to_state) == ("原来的理由", "item.withdraw", "withdrawn")


def test_an_event_cannot_be_saved_again(event):
    event.reason = "改过的理由"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.save(update_fields=["reason"])
    with pytest.raises(TypeError):
        event.save(force_update=True)
    assert unchanged(event)


def test_an_event_cannot_be_deleted(event):
    with pytest.raises(TypeError):
        event.delete()
    assert unchanged(event)


@pytest.mark.parametrize(
    "change",
    [
        lambda e: AuditEvent.objects.filter(pk=e.pk).update(reason="改过的理由"),
        lambda e: AuditEvent.objects.all().update(reason="改过的理由"),
        lambda e: AuditEvent.objects.filter(pk=e.pk).delete(),
        lambda e: AuditEvent.objects.all().delete(),
        lambda e: AuditEvent.objects.bulk_update([e], ["reason"]),
        lambda e: AuditEvent.objects.update_or_create(pk=e.pk, defaults={"reason": "改过的理由"}),
    ],
    ids=["update-one", "update-all", "delete-one", "delete-all", "bulk-update", "update-or-create"],
)
def test_a_queryset_cannot_change_or_remove_events(event, change):
    event.reason = "改过的理由"
    count = AuditEvent.objects.count()
    with pytest.raises(TypeError), transaction.atomic():
        change(event)
    assert AuditEvent.objects.count() == count
    assert unchanged(event)


def test_new_events_are_still_appended(event, people):
    count = AuditEvent.objects.count()
    AuditEvent.objects.create(actor=people("staff"), verb="test.note", target_type="x.y", target_id=1)
    assert AuditEvent.objects.count() == count + 1


def test_a_person_with_history_cannot_be_deleted(event, people):
    with pytest.raises(ProtectedError):
        people("staff").delete()
    assert unchanged(event)


@pytest.mark.postgres
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE core_auditevent SET reason = 'changed' WHERE id = %s",
        "UPDATE core_auditevent SET actor_id = NULL WHERE id = %s",
        "DELETE FROM core_auditevent WHERE id = %s",
    ],
    ids=["update-reason", "update-actor", "delete"],
)
def test_the_database_refuses_raw_sql_that_changes_history(event, sql):
    with pytest.raises(DatabaseError) as exc, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [event.pk])
    assert "append-only" in str(exc.value)
    assert unchanged(event)


@pytest.mark.postgres
def test_the_database_refuses_a_raw_delete_of_all_history(event):
    count = AuditEvent.objects.count()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent")
    assert AuditEvent.objects.count() == count


@pytest.mark.postgres
def test_the_database_still_accepts_raw_inserts(event):
    count = AuditEvent.objects.count()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO core_auditevent (created_at, verb, target_type, target_id, from_state, to_state, reason, data)"
            " VALUES (now(), 'test.note', 'x.y', 1, '', '', '', '{}')"
        )
    assert AuditEvent.objects.count() == count + 1
