"""Personal work notices: reminders, consultation and co-signature requests reach the person as a
DingTalk work notice or a WeCom app message (local stand-ins), through the reminders' outbox: a
delivery per person and channel, retried with back-off, sent once, with a link that opens the page
inside the app, and a confidential object never named."""

from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.utils import timezone

from core.links import Link
from core.models import Delivery, Reminder
from core.notify import message
from core.reminders import deliver_due, remind
from decisions.models import State
from decisions.services import notify_item_step
from meetings import services as meeting_services
from meetings.services import notify_attendees
from org.models import User
from tests.factories import at_state
from tests.fakes.fixtures import fake_dingtalk, fake_wecom
from tests.test_minutes import held_meeting, minutes_of


@pytest.fixture
def dingtalk(httpserver, settings):
    return fake_dingtalk(httpserver, settings)


@pytest.fixture
def wecom(httpserver, settings):
    return fake_wecom(httpserver, settings)


def carrying(username: str, **ids) -> User:
    User.objects.filter(username=username).update(**ids)
    return User.objects.get(username=username)


def opened_link(notice: dict) -> str:
    """The page a DingTalk action card opens, out of its dingtalk:// in-app link."""
    card = notice["msg"]["action_card"]
    parts = urlsplit(card["single_url"])
    assert parts.scheme == "dingtalk" and parts.path == "/page/link"
    return parse_qs(parts.query)["url"][0]


def test_a_reminder_goes_to_the_persons_dingtalk_work_notice_once(school, dingtalk):
    person = carrying("member1", dingtalk_userid="ding-m1")
    remind(recipient=person, key="wn1", text="会议明天召开", link=Link("meetings:detail", (7,)))
    assert "ding_work" in set(Delivery.objects.values_list("channel", flat=True))

    deliver_due()
    deliver_due()

    assert len(dingtalk.sent) == 1
    notice = dingtalk.sent[0]
    assert notice["agent_id"] == "3001" and notice["userid_list"] == "ding-m1"
    assert notice["msg"]["msgtype"] == "action_card" and notice["msg"]["action_card"]["markdown"] == "会议明天召开"
    assert opened_link(notice) == "http://127.0.0.1:8000/meetings/7/"
    assert Delivery.objects.get(channel="ding_work").state == "sent"


def test_no_work_notice_for_someone_without_a_dingtalk_userid(school, dingtalk):
    remind(recipient=carrying("staff", dingtalk_userid=""), key="wn2", text="x")
    assert "ding_work" not in set(Delivery.objects.values_list("channel", flat=True))


def test_the_group_robot_carries_no_reminder_once_work_notices_are_configured(school, dingtalk, settings):
    settings.DINGTALK_WEBHOOK_URL = "http://127.0.0.1:9/robot/send?access_token=t"
    remind(recipient=carrying("member1", dingtalk_userid="ding-m1"), key="wn3", text="x")
    assert "dingtalk" not in set(Delivery.objects.values_list("channel", flat=True))


def test_a_rate_limited_send_is_retried_with_back_off_and_sent_once(school, dingtalk):
    remind(recipient=carrying("member1", dingtalk_userid="ding-m1"), key="wn4", text="请会签")
    dingtalk.rate_limited = 1

    deliver_due()
    delivery = Delivery.objects.get(channel="ding_work")
    assert (delivery.state, delivery.attempts) == ("pending", 1)
    assert "90018" in delivery.last_error and delivery.next_attempt_at > timezone.now()
    assert dingtalk.sent == []

    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=2)):
        deliver_due()
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("sent", 2)
    assert len(dingtalk.sent) == 1


def test_an_expired_token_is_renewed_and_the_notice_sent_once(school, dingtalk):
    remind(recipient=carrying("member1", dingtalk_userid="ding-m1"), key="wn5", text="请会签")
    deliver_due()  # a token is fetched and kept
    remind(recipient=User.objects.get(username="member1"), key="wn6", text="请会签第二份")
    dingtalk.expire_tokens()

    deliver_due()

    assert [n["msg"]["text"]["content"] for n in dingtalk.sent] == ["请会签", "请会签第二份"]
    assert dingtalk.token_requests == 2
    assert set(Delivery.objects.filter(channel="ding_work").values_list("state", flat=True)) == {"sent"}


def test_a_wecom_app_message_opens_the_page(school, wecom):
    remind(
        recipient=carrying("dean", wecom_userid="wx-dean"),
        key="wn7",
        text="督查任务即将到期",
        link=Link("supervision:detail", (3,)),
    )
    wecom.rate_limited = 1
    deliver_due()
    assert Delivery.objects.get(channel="wecom").state == "pending"
    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=2)):
        deliver_due()
    assert len(wecom.sent) == 1
    sent = wecom.sent[0]
    assert (sent["touser"], sent["agentid"], sent["msgtype"]) == ("wx-dean", "1000002", "textcard")
    assert sent["textcard"]["description"] == "督查任务即将到期"
    assert sent["textcard"]["url"] == "http://127.0.0.1:8000/supervision/tasks/3/"


def test_a_consultation_request_reaches_the_consultee_and_names_no_confidential_item(school, people, dingtalk):
    consultee = carrying("member1", dingtalk_userid="ding-m1")
    item = at_state(State.CONSULTING, submitter=people("staff"), consultees=[consultee], confidential=True)
    item.title = "涉密的人事调整议题"

    notify_item_step(item.pk, "screen_accept", State.CONSULTING, item.version)
    notify_item_step(item.pk, "screen_accept", State.CONSULTING, item.version)  # a job run twice
    deliver_due()

    assert len(dingtalk.sent) == 1
    text = dingtalk.sent[0]["msg"]["action_card"]["markdown"]
    assert text == message("item.consulting", confidential=True)
    assert "人事" not in str(dingtalk.sent)
    assert opened_link(dingtalk.sent[0]) == f"http://127.0.0.1:8000/items/{item.pk}/"
    # The in-app notification is the producer's own: the work notice carries no second one.
    assert not Reminder.objects.filter(deliveries__channel="in_app", recipient=consultee).exists()


def test_a_cosignature_request_reaches_each_signer(school, people, dingtalk):
    meeting, _entries = held_meeting(people)
    carrying("principal", dingtalk_userid="ding-p")
    minutes = minutes_of(meeting)
    meeting_services.minutes_send(actor=people("partyoffice"), minutes_id=minutes.pk)

    notify_attendees(meeting.pk, "sign")
    deliver_due()

    assert [n["userid_list"] for n in dingtalk.sent] == ["ding-p"]
    assert "纪要" in dingtalk.sent[0]["msg"]["action_card"]["markdown"]
    assert opened_link(dingtalk.sent[0]).endswith(f"/meetings/minutes/{minutes.pk}/")
