"""Records that never change: every table that is part of the record (core.records, declared on
the model as `record_rule`) refuses UPDATE, DELETE and TRUNCATE on PostgreSQL, whatever the
ORM says. The record tables are listed from the models, so a new one cannot be forgotten: a model
whose name says it is a record must declare a rule or be argued out below."""

import os
import re

import pytest
from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, connection, transaction

from core import records
from core.links import Link
from core.reminders import remind
from decisions import services as item_services
from decisions.models import MajorKind
from decisions.models import State as ItemState
from meetings import services as meeting_services
from meetings.models import Opinion, Resolution
from org.models import User
from supervision.services.followup import resolution_no_task
from tests import permission_walk_data as data
from tests.factories import all_opinions, at_state, draft, organizer_of, running_meeting, vote_all

# A model named like this is part of the record unless argued out in NOT_RECORDS.
RECORD_WORDS = re.compile(
    r"audit|history|opinion|vote|signature|resolution|attendance|answer|letter|attachment|receipt|"
    r"escalation|consultation|recusal|reply|report|review|evidence|finding|check|entry|minutes|notice|"
    r"audience|recipient|reminder|delivery|notification",
    re.IGNORECASE,
)

NOT_RECORDS = {
    # The state of sending a reminder (pending, sending, sent, retried): operational, changed by
    # every attempt. What was to be sent, to whom, is the Reminder, which is on record.
    "core.delivery": "delivery attempts",
    # In-app messages: read and cleared by their reader. Every step they tell of is in the audit log.
    "core.notification": "in-app messages",
    # Settings and the checklist: edited by the administrator, each change in the audit log.
    "reports.reportsettings": "settings",
    # The review chains an administrator configures (审阅 → 审核 → 审批): settings, each change audited.
    "decisions.reviewchain": "settings",
    "decisions.reviewchainstep": "settings",
    "supervision.branchcheckitem": "the checklist (each check keeps its marks)",
    # The discipline committee's half-year report while drafted: its commentary is edited under a
    # version lock, each edit (before and after) and the filing in the audit log; what was filed is
    # the PC agenda item, which is on record as every item is.
    "supervision.committeereport": "a draft edited under a version lock",
}


def _project_models():
    base = str(settings.BASE_DIR)
    return [m for m in apps.get_models() if m.__module__.split(".")[0] in _project_apps(base)]


def _project_apps(base: str) -> set[str]:
    # Yishi's own apps are the folders at the top of the checkout (a virtualenv inside it holds
    # Django's apps deeper down: those are not ours).
    return {a.name.split(".")[0] for a in apps.get_app_configs() if os.path.dirname(a.path) == base}


def test_every_model_named_as_a_record_is_on_record_or_argued_out():
    on_record = {m._meta.label_lower for m in records.record_models()}
    named = {m._meta.label_lower for m in _project_models() if RECORD_WORDS.search(m.__name__)}
    assert named - on_record - NOT_RECORDS.keys() == set()
    assert on_record & NOT_RECORDS.keys() == set()
    assert NOT_RECORDS.keys() <= named  # no stale exemption


def test_the_record_includes_what_the_meeting_and_the_mailbox_keep():
    on_record = {m._meta.label_lower for m in records.record_models()}
    assert {
        "core.auditevent",
        "decisions.consultation",
        "decisions.attachment",
        "meetings.attendance",
        "meetings.agendaentry",
        "meetings.storeddocument",
        "supervision.letter",
    } <= on_record


# --- PostgreSQL refuses --------------------------------------------------------------------------------


def _changed(field) -> str:
    """SQL giving a value different from the column's (NULL included)."""
    col = connection.ops.quote_name(field.column)
    kind = field.get_internal_type()
    if kind in ("CharField", "TextField", "FileField", "SlugField", "EmailField", "URLField"):
        return f"CASE WHEN {col} = 'x' THEN 'y' ELSE 'x' END"  # within any length
    if kind == "BooleanField":
        return f"NOT COALESCE({col}, false)"
    if kind in ("DateTimeField",):
        return f"COALESCE({col}, now()) + interval '1 day'"
    if kind == "DateField":
        return f"COALESCE({col}, CURRENT_DATE) + 1"
    if kind == "JSONField":
        return f"""COALESCE({col}, '{{}}'::jsonb) || '{{"x": 1}}'::jsonb"""
    if kind in ("TimeField",):
        return f"COALESCE({col}, '00:00') + interval '1 minute'"
    # Integers, decimals, keys.
    return f"COALESCE({col}, 0) + 1"


def _refused(sql: str, params=()) -> str:
    """Run `sql` in a savepoint; return why PostgreSQL refused it ('' if it did not)."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            # The test's transaction holds deferred key checks, which TRUNCATE would refuse first.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(sql, params)
    except DatabaseError as exc:
        # 42501 is what the record triggers raise; a key or length error is no refusal of theirs.
        return str(exc) if getattr(exc.__cause__, "sqlstate", None) == "42501" else ""
    return ""


@pytest.fixture
def world(db):
    w = data.build_world()
    u = {user.username: user for user in User.objects.all()}
    # What the demo school lacks: a withdrawn attachment and a reminder.
    item = draft(u["staff"], title="附件撤下")
    attachment = item_services.attachment_add(actor=u["staff"], item_id=item.pk, upload=data._pdf("old.pdf"))
    item_services.attachment_remove(actor=u["staff"], attachment_id=attachment.pk)
    remind(recipient=u["member1"], key="records:one", text="提醒", link=Link("home"))
    # ... and a recusal, at a principal's office meeting now running.
    ready = at_state(ItemState.READY, submitter=u["staff"], consultees=[u["member1"]], body_code="PO")
    meeting, (entry,) = running_meeting([ready], "PO")
    member = meeting.attendance.filter(kind="member").exclude(person_id=meeting.chair_id).first()
    meeting_services.entry_recuse(
        actor=organizer_of("PO"), entry_id=entry.pk, member_id=member.person_id, reason="近亲属参与该项目"
    )
    # ... and a PC meeting's day: an attendance correction, a corrected opinion, a secret ballot closed.
    appointment = at_state(
        ItemState.READY,
        submitter=u["staff"],
        consultees=[u["member1"]],
        major_kind=MajorKind.APPOINTMENT,
        title="关于任命教务处副处长的提议",
    )
    pc, (pc_entry,) = running_meeting([appointment], "PC")
    recorder = organizer_of("PC")
    meeting_services.attendance_correct(
        actor=recorder, meeting_id=pc.pk, person_id=u["member2"].pk, present=False, reason="误记", was="present"
    )
    all_opinions(pc_entry, pc)
    first = Opinion.objects.filter(entry=pc_entry).first()
    meeting_services.opinion_correct(actor=recorder, opinion_id=first.pk, stance="reserve", text="", reason="误记")
    vote_all(pc_entry, pc, "for")
    # ... and a resolution put on record as needing no supervision task (决而未果 answered).
    unfollowed = Resolution.objects.filter(tasks__isnull=True).order_by("pk").first()
    resolution_no_task(actor=u["partyoffice"], resolution_id=unfollowed.pk, reason="通知类决议，无需督查")
    # ... and a document made once: a resolution of a meeting that has ended, stored in Word.
    ended = Resolution.objects.filter(meeting__state="adjourned").select_related("meeting").order_by("pk").first()
    assert meeting_services.resolution_document(ended, ended.meeting) is not None
    return w


@pytest.mark.postgres
def test_every_record_table_refuses_update_delete_and_truncate(world):
    checked = []
    for model in records.record_models():
        table, rule = model._meta.db_table, model.record_rule
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id FROM {table} WHERE {rule.settled} ORDER BY id LIMIT 1")  # noqa: S608 (names from the models)
            row = cursor.fetchone()
        assert row, f"{table}: no settled row to try (the fixture must hold one)"
        pk = row[0]
        for field in model._meta.concrete_fields:
            if field.column in rule.free:
                continue
            sql = f"UPDATE {table} SET {connection.ops.quote_name(field.column)} = {_changed(field)} WHERE id = %s"  # noqa: S608
            assert _refused(sql, [pk]), f"{table}.{field.column} could be changed"
        assert _refused(f"DELETE FROM {table} WHERE id = %s", [pk])  # noqa: S608, f"{table}: a row could be deleted"
        assert "TRUNCATE" in _refused(f"TRUNCATE {table} CASCADE"), f"{table} could be truncated"
        checked.append(table)
    assert len(checked) >= 25


@pytest.mark.postgres
def test_what_is_still_open_on_a_record_may_be_written_once(world):
    """The openings: an answer while pending, a withdrawal while the file is current; not twice."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM decisions_consultation WHERE answer = 'pending' LIMIT 1")
        (pending,) = cursor.fetchone()
        cursor.execute(
            "UPDATE decisions_consultation SET answer = 'agree', answered_at = now() WHERE id = %s", [pending]
        )
    assert _refused("UPDATE decisions_consultation SET answer = 'concern' WHERE id = %s", [pending])
    assert _refused("UPDATE decisions_consultation SET consultee_id = consultee_id + 1 WHERE id = %s", [pending])
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM decisions_attachment WHERE removed_at IS NULL LIMIT 1")
        (current,) = cursor.fetchone()
    assert _refused("UPDATE decisions_attachment SET name = 'x' WHERE id = %s", [current])
    with connection.cursor() as cursor:
        cursor.execute("UPDATE decisions_attachment SET removed_at = now() WHERE id = %s", [current])
    assert _refused("UPDATE decisions_attachment SET removed_at = NULL WHERE id = %s", [current])
