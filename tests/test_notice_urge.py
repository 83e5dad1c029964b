"""催阅: the sender of a notice reminds those who have not read it, through their channels (in-app,
e-mail, the DingTalk work notice), each person at most once a day; the read rate on the sender's
page is polled by htmx and changes as people read."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from core.errors import InvalidTransition
from core.models import AuditEvent, Delivery, Reminder
from core.notify import message
from core.reminders import deliver_due
from notices import services
from org.models import Role, User
from tests.fakes.fixtures import fake_dingtalk

SHANGHAI = ZoneInfo("Asia/Shanghai")
MORNING = datetime(2026, 12, 7, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture
def dingtalk(httpserver, settings):
    return fake_dingtalk(httpserver, settings)


def user(username: str) -> User:
    return User.objects.get(username=username)


def published(*, confidential: bool = False, title: str = "关于做好年终考核工作的通报"):
    notice = services.notice_create_upper_document(
        actor=user("partyoffice"), title=title, body="正文。", roles=[Role.PC_MEMBER], confidential=confidential
    )
    return services.notice_publish(actor=user("partyoffice"), notice_id=notice.pk)


def unread_names(notice) -> set[str]:
    return set(notice.recipients.filter(read_at__isnull=True).values_list("person__username", flat=True))


def test_the_sender_reminds_each_unread_recipient_once_a_day(school, dingtalk):
    User.objects.filter(username="member2").update(dingtalk_userid="ding-m2")
    with time_machine.travel(MORNING, tick=False):
        notice = published()
        services.notice_mark_read(actor=user("member1"), notice_id=notice.pk)
        unread = unread_names(notice)
        assert "member1" not in unread and "member2" in unread

        reminded, already = services.notice_urge(actor=user("partyoffice"), notice_id=notice.pk)

        assert (reminded, already) == (len(unread), 0)
        assert set(Reminder.objects.values_list("recipient__username", flat=True)) == unread
        event = AuditEvent.objects.get(verb="notice.urge", target_id=notice.pk)
        assert event.actor == user("partyoffice") and event.data["reminded"] == len(unread)
        deliver_due()
        assert [n["userid_list"] for n in dingtalk.sent] == ["ding-m2"]
        assert dingtalk.sent[0]["msg"]["action_card"]["markdown"] == "请阅读通报：关于做好年终考核工作的通报"

        with pytest.raises(InvalidTransition) as again:
            services.notice_urge(actor=user("partyoffice"), notice_id=notice.pk)
        assert again.value.status == 409 and "每人每天最多催阅一次" in again.value.reason

    with time_machine.travel(MORNING + timedelta(days=1), tick=False):
        services.notice_mark_read(actor=user("member2"), notice_id=notice.pk)
        reminded, already = services.notice_urge(actor=user("partyoffice"), notice_id=notice.pk)
        assert (reminded, already) == (len(unread) - 1, 0)
        assert not Reminder.objects.filter(recipient__username="member2", key__contains="2026-12-08").exists()


def test_those_reminded_today_are_skipped_and_new_ones_reminded(school):
    with time_machine.travel(MORNING, tick=False):
        notice = published()
        services.notice_urge(actor=user("partyoffice"), notice_id=notice.pk)
        # An unread recipient reminded this morning is not reminded again this afternoon.
        with pytest.raises(InvalidTransition):
            services.notice_urge(actor=user("partyoffice"), notice_id=notice.pk)
    assert Reminder.objects.filter(key__startswith=f"notice-urge:{notice.pk}:").count() == len(unread_names(notice))


def test_a_confidential_notice_is_not_named_in_the_reminder(school):
    notice = published(confidential=True, title="涉密的干部调整通报")
    services.notice_urge(actor=user("partyoffice"), notice_id=notice.pk)
    texts = set(Reminder.objects.values_list("text", flat=True))
    assert texts == {message("notice.urge", confidential=True)}


def test_only_the_sender_may_urge(school):
    notice = published()
    with pytest.raises(InvalidTransition) as refused:
        services.notice_urge(actor=user("member1"), notice_id=notice.pk)
    assert refused.value.status == 403 and "只有通报的发布人和党委办公室可以催阅" in refused.value.reason
    assert not Reminder.objects.exists()


def test_when_all_have_read_there_is_nothing_to_urge(school):
    notice = published()
    for person in notice.recipients.values_list("person", flat=True):
        services.notice_mark_read(actor=User.objects.get(pk=person), notice_id=notice.pk)
    with pytest.raises(InvalidTransition) as refused:
        services.notice_urge(actor=user("partyoffice"), notice_id=notice.pk)
    assert refused.value.status == 409 and "全部人员均已阅读" in refused.value.reason


def test_a_draft_cannot_be_urged(school):
    notice = services.notice_create_upper_document(
        actor=user("partyoffice"), title="草稿", body="正文。", roles=[Role.PC_MEMBER]
    )
    with pytest.raises(InvalidTransition) as refused:
        services.notice_urge(actor=user("partyoffice"), notice_id=notice.pk)
    assert refused.value.status == 409


def test_the_urge_button_and_its_message(client, school):
    notice = published()
    client.force_login(user("partyoffice"))
    page = client.get(f"/notices/{notice.pk}/").content.decode()
    assert 'data-testid="notice-urge"' in page and f'hx-get="/notices/{notice.pk}/receipts/"' in page
    assert 'hx-trigger="every 15s"' in page

    response = client.post(f"/notices/{notice.pk}/urge/", follow=True)
    assert f"已向 {len(unread_names(notice))} 位未读人员发出催阅提醒。" in response.content.decode()
    response = client.post(f"/notices/{notice.pk}/urge/", follow=True)
    assert "每人每天最多催阅一次" in response.content.decode()


def test_a_recipient_sees_no_urge_button_and_may_not_urge(client, school):
    notice = published()
    client.force_login(user("member1"))
    assert 'data-testid="notice-urge"' not in client.get(f"/notices/{notice.pk}/").content.decode()
    response = client.post(f"/notices/{notice.pk}/urge/")
    assert response.status_code == 403 and "只有通报的发布人和党委办公室可以催阅" in response.content.decode()
    assert not Reminder.objects.exists()
    assert client.get(f"/notices/{notice.pk}/receipts/").status_code == 404


def test_the_read_rate_changes_as_people_read(client, school):
    notice = published()
    total = notice.recipients.count()
    client.force_login(user("partyoffice"))
    before = client.get(f"/notices/{notice.pk}/receipts/").content.decode()
    assert f"已读 0 / 共 {total} 人" in before and "（0%）" in before

    services.notice_mark_read(actor=user("member1"), notice_id=notice.pk)

    after = client.get(f"/notices/{notice.pk}/receipts/").content.decode()
    assert f"已读 1 / 共 {total} 人" in after
    assert f"（{round(100 / total)}%）" in after
    assert Delivery.objects.count() == 0
