"""纪要： drafted from the record at adjournment, edited by the meeting secretary, co-signed （会签）
by every member present, locked with a number, corrected only by a linked amendment, and
archived as a PDF with Chinese text."""

import hashlib
import io
import re

import pytest
from django.utils import timezone
from pypdf import PdfReader

from core.errors import InvalidTransition
from core.models import AuditEvent, Notification
from decisions.models import Category, MajorKind, State
from meetings import services
from meetings.models import Minutes, MinutesSignature, Resolution
from org.models import User
from tests.factories import all_opinions, at_state, running_meeting, vote_all
from tests.test_meeting_votes import race

PRESENT = ("secretary", "principal", "member1")  # member2 is away on business
SENTENCE = "会议强调实训基地建设要坚持产教融合"


def refused(status: int, call, /, contains: str = "", **kwargs) -> InvalidTransition:
    with pytest.raises(InvalidTransition) as caught:
        call(**kwargs)
    assert caught.value.status == status, caught.value.reason
    assert contains in caught.value.reason
    return caught.value


def user(username: str) -> User:
    return User.objects.get(username=username)


def held_meeting(people, code: str = "PC"):
    """A meeting with a 三重一大 item passed by vote and a study item noted, then adjourned."""
    staff = people("staff")
    project = at_state(
        State.READY,
        submitter=staff,
        consultees=[people("member1")],
        major_kind=MajorKind.PROJECT,
        title="关于建设实训基地的请示",
        body_code=code,
    )
    items = [project]
    if code == "PC":
        items.append(at_state(State.READY, submitter=staff, category=Category.STUDY, title="学习上级会议精神"))
    absent = ("member2",) if code == "PC" else ()
    meeting, entries = running_meeting(items, code, absent=absent)
    organizer = people("partyoffice" if code == "PC" else "affairsoffice")
    services.opinion_record(
        actor=organizer, entry_id=entries[0].pk, member_id=people("member1").pk, stance="agree", text="建议分期建设"
    )
    _rest_of_opinions(entries[0], meeting, organizer)
    vote_all(entries[0], meeting, "for")
    outcome = "passed" if code == "PC" else "passed_to_pc"
    services.entry_decide(actor=organizer, entry_id=entries[0].pk, outcome=outcome)
    if code == "PC":
        services.entry_decide(actor=organizer, entry_id=entries[1].pk, outcome="noted")
    services.meeting_adjourn(actor=organizer, meeting_id=meeting.pk)
    return meeting, entries


def _rest_of_opinions(entry, meeting, organizer):
    """Everyone present after member1, the chair last."""
    present = services.entry_facts(entry, meeting)["present"]
    for pk in sorted(present, key=lambda pk: pk == meeting.chair_id):
        if pk != user("member1").pk:
            services.opinion_record(actor=organizer, entry_id=entry.pk, member_id=pk, stance="agree")


def minutes_of(meeting) -> Minutes:
    return Minutes.objects.get(meeting=meeting, amends__isnull=True)


def sign_all(minutes, usernames=PRESENT) -> Minutes:
    for username in usernames:
        services.minutes_sign(actor=user(username), minutes_id=minutes.pk)
    minutes.refresh_from_db()
    return minutes


def year_of(meeting) -> int:
    return timezone.localtime(meeting.starts_at).year


# --- the draft --------------------------------------------------------------------------------------


def test_adjourning_drafts_the_minutes_from_the_record(people):
    meeting, (project, study) = held_meeting(people)
    resolution = Resolution.objects.get(entry=project)

    minutes = minutes_of(meeting)
    lines = minutes.text.splitlines()

    assert (minutes.state, minutes.version, minutes.number, minutes.signing_round) == ("draft", 1, "", 0)
    assert lines[0] == f"{meeting.title}纪要"
    assert "主持：王建国" in lines and "记录：孙丽" in lines
    attended = next(line for line in lines if line.startswith("出席："))
    assert all(name in attended for name in ("王建国", "李明华", "张卫东")) and "陈晓红" not in attended
    assert "缺席：陈晓红（出差）" in lines and "列席：赵敏" in lines
    assert "1. 关于建设实训基地的请示" in lines
    assert "   张卫东：同意。建议分期建设" in lines and "   李明华：同意。" in lines
    assert "   表决：应到 4 人，赞成 3 票，反对 0 票，弃权 0 票。" in lines
    assert f"   结论：通过（{resolution.number}）。" in lines
    assert "2. 学习上级会议精神" in lines and "   结论：已学习/已听取。" in lines
    assert AuditEvent.objects.filter(verb="minutes.draft", target_id=minutes.pk).exists()


def test_the_draft_records_recusals_and_reasons(people):
    item = at_state(State.READY, submitter=people("staff"), consultees=[people("member1")])
    meeting, (entry,) = running_meeting([item])
    services.entry_recuse(
        actor=people("partyoffice"), entry_id=entry.pk, member_id=people("member2").pk, reason="系申请人亲属"
    )
    all_opinions(entry, meeting)
    services.entry_decide(actor=people("partyoffice"), entry_id=entry.pk, outcome="deferred", note="补充调研")

    services.meeting_adjourn(actor=people("partyoffice"), meeting_id=meeting.pk)

    text = minutes_of(meeting).text
    assert "陈晓红回避（系申请人亲属）。" in text
    assert "陈晓红：" not in text
    assert "结论：暂缓。补充调研" in text


# --- editing ------------------------------------------------------------------------------------------


def test_only_the_recorder_or_the_organizers_edit_the_draft(people):
    meeting, _ = held_meeting(people)
    minutes = minutes_of(meeting)

    for username in ("member1", "principal", "discipline", "affairsoffice"):
        refused(
            403,
            services.minutes_edit,
            "只有会议记录人",
            actor=user(username),
            minutes_id=minutes.pk,
            text="改写",
            version=1,
        )
    edited = services.minutes_edit(
        actor=people("partyoffice"), minutes_id=minutes.pk, text=minutes.text + SENTENCE, version=1
    )

    assert edited.version == 2 and edited.text.rstrip().endswith(SENTENCE)
    assert (
        AuditEvent.objects.filter(verb="minutes.edit", target_id=minutes.pk, actor=people("partyoffice")).count() == 1
    )


def test_a_stale_edit_is_refused(people):
    meeting, _ = held_meeting(people)
    minutes = minutes_of(meeting)
    services.minutes_edit(actor=people("partyoffice"), minutes_id=minutes.pk, text="第一稿", version=1)

    refused(
        409,
        services.minutes_edit,
        "已被他人修改",
        actor=people("partyoffice"),  # the same recorder in a second window, still on version 1
        minutes_id=minutes.pk,
        text="第二稿",
        version=1,
    )
    refused(
        409, services.minutes_edit, "不能为空", actor=people("partyoffice"), minutes_id=minutes.pk, text="  ", version=2
    )

    minutes.refresh_from_db()
    assert (minutes.text, minutes.version) == ("第一稿\n", 2)


def test_editing_through_the_page_answers_403_and_409(people, client):
    meeting, _ = held_meeting(people)
    minutes = minutes_of(meeting)
    url = f"/meetings/minutes/{minutes.pk}/act/edit/"

    client.force_login(people("member1"))
    assert client.post(url, {"text": "改写", "version": 1}).status_code == 403
    client.force_login(people("partyoffice"))
    assert client.post(url, {"text": "新稿", "version": 1}).status_code == 302
    assert client.post(url, {"text": "旧页面上的修改", "version": 1}).status_code == 409
    minutes.refresh_from_db()
    assert minutes.text == "新稿\n"


def test_sent_minutes_cannot_be_edited(people, settings, django_capture_on_commit_callbacks):
    settings.REDIS_URL = ""  # the signing reminder is sent in this process after the commit
    meeting, _ = held_meeting(people)
    minutes = minutes_of(meeting)

    refused(403, services.minutes_send, actor=people("member1"), minutes_id=minutes.pk)
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.minutes_send(actor=people("partyoffice"), minutes_id=minutes.pk)

    assert (sent.state, sent.signing_round) == ("signing", 1)
    refused(
        409,
        services.minutes_edit,
        "会签中",
        actor=people("partyoffice"),
        minutes_id=minutes.pk,
        text="改",
        version=sent.version,
    )
    refused(409, services.minutes_send, "不能送签", actor=people("partyoffice"), minutes_id=minutes.pk)
    asked = set(
        Notification.objects.filter(text__contains="纪要待您会签").values_list("recipient__username", flat=True)
    )
    assert asked == set(PRESENT)


# --- co-signing ----------------------------------------------------------------------------------------


def test_only_members_present_sign_and_each_once(people):
    meeting, _ = held_meeting(people)
    minutes = minutes_of(meeting)

    refused(409, services.minutes_sign, "不在会签阶段", actor=people("principal"), minutes_id=minutes.pk)
    services.minutes_send(actor=people("partyoffice"), minutes_id=minutes.pk)
    for username in ("discipline", "member2", "partyoffice", "vice"):
        refused(403, services.minutes_sign, "只有出席会议的成员", actor=user(username), minutes_id=minutes.pk)
    services.minutes_sign(actor=people("principal"), minutes_id=minutes.pk)
    refused(409, services.minutes_sign, "您已会签", actor=people("principal"), minutes_id=minutes.pk)

    signature = MinutesSignature.objects.get(minutes=minutes)
    assert (signature.member.username, signature.round) == ("principal", 1)
    assert signature.text_sha256 == hashlib.sha256(minutes.text.encode()).hexdigest()


def test_the_last_signature_locks_the_minutes_with_a_number(people):
    meeting, _ = held_meeting(people)
    minutes = minutes_of(meeting)
    services.minutes_send(actor=people("partyoffice"), minutes_id=minutes.pk)

    sign_all(minutes, PRESENT[:2])
    assert minutes.state == "signing" and minutes.number == ""
    sign_all(minutes, PRESENT[2:])

    assert minutes.state == "locked" and minutes.locked_at is not None
    assert minutes.number == f"党委会纪要〔{year_of(meeting)}〕1号"
    lock = AuditEvent.objects.get(verb="minutes.lock", target_id=minutes.pk)
    assert lock.data == {"number": minutes.number}


def test_signatures_are_append_only(people):
    meeting, _ = held_meeting(people)
    minutes = minutes_of(meeting)
    services.minutes_send(actor=people("partyoffice"), minutes_id=minutes.pk)
    sign_all(minutes, ("principal",))
    signature = MinutesSignature.objects.get(minutes=minutes)

    with pytest.raises(TypeError):
        signature.save()
    with pytest.raises(TypeError):
        MinutesSignature.objects.filter(pk=signature.pk).delete()


def test_an_objection_sends_the_minutes_back_and_signing_starts_over(people):
    meeting, _ = held_meeting(people)
    minutes = minutes_of(meeting)
    partyoffice = people("partyoffice")
    services.minutes_send(actor=partyoffice, minutes_id=minutes.pk)
    sign_all(minutes, ("principal",))

    refused(403, services.minutes_object, actor=people("discipline"), minutes_id=minutes.pk, reason="有误")
    refused(409, services.minutes_object, "修改意见", actor=people("member1"), minutes_id=minutes.pk, reason=" ")
    objected = services.minutes_object(actor=people("member1"), minutes_id=minutes.pk, reason="第一项应写明分两期建设")

    assert objected.state == "draft"
    assert AuditEvent.objects.get(verb="minutes.object", target_id=minutes.pk).reason == "第一项应写明分两期建设"
    refused(409, services.minutes_sign, actor=people("secretary"), minutes_id=minutes.pk)
    services.minutes_edit(
        actor=partyoffice, minutes_id=minutes.pk, text=minutes.text + "项目分两期建设。", version=objected.version
    )
    services.minutes_send(actor=partyoffice, minutes_id=minutes.pk)

    sign_all(minutes, ("secretary", "member1"))
    assert (minutes.state, minutes.signing_round) == ("signing", 2)  # the principal's first signature no longer counts
    sign_all(minutes, ("principal",))
    assert minutes.state == "locked"
    assert minutes.signatures.filter(round=2).count() == 3 and minutes.signatures.filter(round=1).count() == 1
    latest = minutes.signatures.get(round=2, member__username="principal")
    assert latest.text_sha256 == hashlib.sha256(minutes.text.encode()).hexdigest()


def test_objecting_is_only_possible_while_signing(people):
    meeting, _ = held_meeting(people)
    minutes = minutes_of(meeting)

    refused(409, services.minutes_object, "不在会签阶段", actor=people("member1"), minutes_id=minutes.pk, reason="有误")


# --- locked, then amended ------------------------------------------------------------------------------


def locked_minutes(people) -> tuple:
    meeting, entries = held_meeting(people)
    minutes = minutes_of(meeting)
    services.minutes_edit(
        actor=people("partyoffice"), minutes_id=minutes.pk, text=minutes.text + SENTENCE + "。", version=1
    )
    services.minutes_send(actor=people("partyoffice"), minutes_id=minutes.pk)
    return meeting, entries, sign_all(minutes)


def test_locked_minutes_cannot_be_changed(people):
    meeting, _, minutes = locked_minutes(people)

    refused(
        409,
        services.minutes_edit,
        "如需更正请起草更正纪要",
        actor=people("partyoffice"),
        minutes_id=minutes.pk,
        text="改",
        version=minutes.version,
    )
    refused(409, services.minutes_send, actor=people("partyoffice"), minutes_id=minutes.pk)
    refused(409, services.minutes_object, actor=people("member1"), minutes_id=minutes.pk, reason="有误")
    refused(409, services.minutes_sign, actor=people("member1"), minutes_id=minutes.pk)


def test_a_correction_is_a_linked_amendment_through_the_same_cycle(people):
    meeting, _, original = locked_minutes(people)
    partyoffice = people("partyoffice")
    before = (original.text, original.number, original.state)

    refused(403, services.minutes_amend, actor=people("member1"), minutes_id=original.pk, text="更正")
    refused(409, services.minutes_amend, "更正内容", actor=partyoffice, minutes_id=original.pk, text=" ")
    amendment = services.minutes_amend(actor=partyoffice, minutes_id=original.pk, text="第一项“三期”应为“两期”。")

    assert (amendment.amends, amendment.state, amendment.number) == (original, "draft", "")
    refused(409, services.minutes_amend, "正在办理", actor=partyoffice, minutes_id=original.pk, text="再次更正")
    refused(
        409, services.minutes_amend, "只有已签发的纪要", actor=partyoffice, minutes_id=amendment.pk, text="更正的更正"
    )
    services.minutes_send(actor=partyoffice, minutes_id=amendment.pk)
    refused(403, services.minutes_sign, actor=people("member2"), minutes_id=amendment.pk)
    amendment = sign_all(amendment)

    assert amendment.state == "locked"
    assert amendment.number == f"党委会纪要〔{year_of(meeting)}〕2号"
    original.refresh_from_db()
    assert (original.text, original.number, original.state) == before
    assert list(original.amendments.all()) == [amendment]
    services.minutes_amend(actor=partyoffice, minutes_id=original.pk, text="再次更正")  # the first is done


def test_minutes_numbers_count_per_body(people):
    pc_meeting, _ = held_meeting(people, "PC")
    po_meeting, _ = held_meeting(people, "PO")
    pc, po = minutes_of(pc_meeting), minutes_of(po_meeting)
    services.minutes_send(actor=people("partyoffice"), minutes_id=pc.pk)
    services.minutes_send(actor=people("affairsoffice"), minutes_id=po.pk)

    sign_all(po, ("principal", "member1", "vice"))
    sign_all(pc)

    assert po.number == f"校长办公会纪要〔{year_of(po_meeting)}〕1号"
    assert pc.number == f"党委会纪要〔{year_of(pc_meeting)}〕1号"


# --- the archive PDF --------------------------------------------------------------------------------


def pdf_text(content: bytes) -> str:
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return re.sub(r"\s+", "", text)


def test_the_archive_pdf_holds_the_resolution_the_minutes_and_the_signers(people, client):
    meeting, (project, _), minutes = locked_minutes(people)
    resolution = Resolution.objects.get(entry=project)
    client.force_login(people("member1"))

    response = client.get(f"/meetings/{meeting.pk}/archive.pdf")

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.getvalue())
    assert resolution.number in text
    assert SENTENCE in text
    assert minutes.number in text
    signed = text[text.rindex("会签人") :]
    assert all(name in signed for name in ("王建国", "李明华", "张卫东"))
    assert "陈晓红" not in signed  # absent: not a signer


def test_there_is_no_archive_before_the_meeting_ends(people, client):
    item = at_state(State.READY, submitter=people("staff"), consultees=[people("member1")])
    meeting, _ = running_meeting([item])
    client.force_login(people("partyoffice"))

    assert client.get(f"/meetings/{meeting.pk}/archive.pdf").status_code == 409


# --- PostgreSQL: the last two signatures at the same moment ------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_last_two_signatures_at_once_lock_the_minutes_once(people):
    meeting, _ = held_meeting(people)
    minutes = minutes_of(meeting)
    services.minutes_send(actor=people("partyoffice"), minutes_id=minutes.pk)
    sign_all(minutes, ("secretary",))

    results = race(
        lambda: services.minutes_sign(actor=user("principal"), minutes_id=minutes.pk),
        lambda: services.minutes_sign(actor=user("member1"), minutes_id=minutes.pk),
        meeting_id=meeting.pk,
    )

    assert all(isinstance(r, Minutes) for r in results), results
    minutes.refresh_from_db()
    assert minutes.state == "locked" and minutes.number == f"党委会纪要〔{year_of(meeting)}〕1号"
    assert AuditEvent.objects.filter(verb="minutes.lock", target_id=minutes.pk).count() == 1
    assert minutes.signatures.count() == 3


def test_the_chair_signs_the_minutes_but_does_not_write_them(people):
    """纪要由会议秘书编写： the PC's chair is refused editing, sending and amending; its secretary office writes."""
    meeting, _ = held_meeting(people)
    minutes = minutes_of(meeting)
    for call, kwargs in (
        (services.minutes_edit, {"text": "主持人改写", "version": minutes.version}),
        (services.minutes_send, {}),
    ):
        refused(
            403,
            call,
            "只有会议记录人或会务部门可以编辑纪要",
            actor=people("secretary"),
            minutes_id=minutes.pk,
            **kwargs,
        )
    minutes.refresh_from_db()
    assert minutes.state == "draft" and "主持人改写" not in minutes.text
    services.minutes_edit(actor=people("partyoffice"), minutes_id=minutes.pk, text="秘书整理", version=minutes.version)
