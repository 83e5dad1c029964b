"""书记信箱： anyone writes, the secretary (or the party office for him) replies, every letter is
answered （回复百分百）： the reply rate, who sees a letter, notifications once, replies kept as written."""

import pytest

from core.errors import InvalidTransition
from core.models import AuditEvent, Notification
from supervision import selectors, services
from supervision.models import Letter, LetterReply


def refused(status: int, call, /, **kwargs) -> InvalidTransition:
    with pytest.raises(InvalidTransition) as caught:
        call(**kwargs)
    assert caught.value.status == status, caught.value.reason
    return caught.value


def write(people, username: str = "staff", subject: str = "关于食堂就餐的建议", body: str = "建议延长晚餐时间。"):
    return services.letter_write(actor=people(username), subject=subject, body=body)


# --- writing ---------------------------------------------------------------------------------------


def test_anyone_writes_a_letter(people):
    letter = write(people, "teacher")

    assert letter.author == people("teacher")
    assert letter.state == Letter.State.OPEN and letter.replied_at is None
    assert AuditEvent.objects.filter(verb="letter.write", target_id=letter.pk).count() == 1


@pytest.mark.parametrize("subject, body", [("", "内容"), ("主题", ""), ("  ", "  ")])
def test_a_letter_needs_a_subject_and_a_body(people, subject, body):
    refused(409, services.letter_write, actor=people("staff"), subject=subject, body=body)
    assert not Letter.objects.exists()


# --- replying --------------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["staff", "member1", "principal", "discipline"])
def test_only_the_secretary_or_the_party_office_replies(people, username):
    letter = write(people)

    refused(403, services.letter_reply, actor=people(username), letter_id=letter.pk, body="已收悉。")

    assert not LetterReply.objects.exists()
    letter.refresh_from_db()
    assert letter.state == Letter.State.OPEN


def test_a_reply_needs_a_body(people):
    letter = write(people)
    refused(409, services.letter_reply, actor=people("secretary"), letter_id=letter.pk, body="  ")
    assert not LetterReply.objects.exists()


def test_the_first_reply_marks_the_letter_replied_and_follow_ups_keep_it(people):
    letter = write(people)

    services.letter_reply(actor=people("partyoffice"), letter_id=letter.pk, body="已转后勤处研究。")
    letter.refresh_from_db()
    first = letter.replied_at
    assert letter.state == Letter.State.REPLIED and first is not None

    services.letter_reply(actor=people("secretary"), letter_id=letter.pk, body="下周起晚餐延长至 19:30。")
    letter.refresh_from_db()
    assert letter.state == Letter.State.REPLIED
    assert letter.replied_at == first
    assert list(letter.replies.values_list("author__username", flat=True)) == ["partyoffice", "secretary"]
    events = AuditEvent.objects.filter(verb="letter.reply", target_id=letter.pk).order_by("id")
    assert [(e.from_state, e.to_state) for e in events] == [("open", "replied"), ("replied", "replied")]


def test_replies_are_append_only(people):
    letter = write(people)
    reply = services.letter_reply(actor=people("secretary"), letter_id=letter.pk, body="已收悉。")

    reply.body = "改过的回复"
    with pytest.raises(TypeError):
        reply.save()
    with pytest.raises(TypeError):
        reply.delete()
    with pytest.raises(TypeError):
        LetterReply.objects.filter(pk=reply.pk).update(body="改过的回复")
    with pytest.raises(TypeError):
        LetterReply.objects.all().delete()
    assert LetterReply.objects.get(pk=reply.pk).body == "已收悉。"


# --- the reply rate --------------------------------------------------------------------------------


def test_the_reply_rate_counts_every_letter(people):
    assert selectors.reply_rate() == (0, 0)
    letters = [write(people, u, subject=f"来信{n}") for n, u in enumerate(["staff", "teacher", "dean"])]
    for letter in letters[:2]:
        services.letter_reply(actor=people("secretary"), letter_id=letter.pk, body="已回复。")
    services.letter_reply(actor=people("partyoffice"), letter_id=letters[0].pk, body="追加回复。")

    assert selectors.reply_rate() == (2, 3)
    assert selectors.percent(2, 3) == 67
    assert selectors.percent(0, 0) == 100


def test_the_all_letters_page_shows_the_rate_and_unreplied_first(client, people):
    letters = [write(people, u, subject=f"来信{n}") for n, u in enumerate(["staff", "teacher", "dean"])]
    for letter in letters[:2]:
        services.letter_reply(actor=people("secretary"), letter_id=letter.pk, body="已回复。")
    client.force_login(people("partyoffice"))

    html = client.get("/mailbox/?box=all").content.decode()

    assert "已回复 2 / 共 3 封（67%）" in html
    assert html.index("来信2") < html.index("来信1") < html.index("来信0")


# --- who sees a letter -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "username, status",
    [("staff", 200), ("secretary", 200), ("partyoffice", 200), ("teacher", 404), ("member1", 404), ("principal", 404)],
)
def test_who_sees_a_letter(client, people, username, status):
    letter = write(people, "staff")
    client.force_login(people(username))
    assert client.get(f"/mailbox/{letter.pk}/").status_code == status


def test_my_letters_are_mine_only_and_the_all_tab_is_for_answerers(client, people):
    write(people, "staff", subject="我的来信")
    write(people, "teacher", subject="别人的来信")
    client.force_login(people("staff"))

    html = client.get("/mailbox/").content.decode()
    assert "我的来信" in html and "别人的来信" not in html
    assert 'href="/mailbox/new/"' in html
    assert "?box=all" not in html
    assert client.get("/mailbox/?box=all").status_code == 403
    assert selectors.visible_letters(people("staff")).count() == 1
    assert selectors.visible_letters(people("secretary")).count() == 2


def test_writing_and_replying_through_the_pages(client, people):
    client.force_login(people("teacher"))
    assert client.post("/mailbox/new/", {"subject": "", "body": ""}).status_code == 400
    response = client.post("/mailbox/new/", {"subject": "图书馆开放时间", "body": "建议周末开放。"})
    assert response.status_code == 302
    letter = Letter.objects.get()
    assert client.post(f"/mailbox/{letter.pk}/", {"body": "自己回复"}).status_code == 403

    client.force_login(people("secretary"))
    page = client.get(f"/mailbox/{letter.pk}/").content.decode()
    assert "图书馆开放时间" in page and 'data-testid="letter-reply-submit"' in page
    response = client.post(f"/mailbox/{letter.pk}/", {"body": "下学期起周末开放。"})
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.state == Letter.State.REPLIED

    client.force_login(people("teacher"))
    assert "下学期起周末开放。" in client.get(f"/mailbox/{letter.pk}/").content.decode()


# --- notifications ---------------------------------------------------------------------------------


def test_notifications_once(people, settings, django_capture_on_commit_callbacks):
    settings.REDIS_URL = ""
    with django_capture_on_commit_callbacks(execute=True):
        letter = write(people, "staff")
    told = set(Notification.objects.filter(key=f"letter:{letter.pk}").values_list("recipient__username", flat=True))
    assert told == {"secretary", "partyoffice"}
    assert services.notify_new_letter(letter.pk) == 0  # a second run tells no one again

    with django_capture_on_commit_callbacks(execute=True):
        reply = services.letter_reply(actor=people("partyoffice"), letter_id=letter.pk, body="已收悉。")
    notes = Notification.objects.filter(key=f"letter-reply:{reply.pk}")
    assert [n.recipient.username for n in notes] == ["staff"]
    assert notes[0].url == f"/mailbox/{letter.pk}/"
    assert services.notify_reply(reply.pk) == 0

    with django_capture_on_commit_callbacks(execute=True):
        services.letter_reply(actor=people("secretary"), letter_id=letter.pk, body="追加回复。")
    assert Notification.objects.filter(recipient=people("staff"), key__startswith="letter-reply:").count() == 2


# --- query counts ----------------------------------------------------------------------------------


def _letters(people, n: int) -> None:
    authors = [people(u) for u in ("staff", "teacher", "dean", "finance")]
    Letter.objects.bulk_create(
        [Letter(author=authors[i % len(authors)], subject=f"来信{i}", body="内容") for i in range(n)]
    )
    replied = list(Letter.objects.order_by("id")[: n // 2])
    secretary = people("secretary")
    for letter in replied:
        services.letter_reply(actor=secretary, letter_id=letter.pk, body="已回复。")


@pytest.mark.parametrize("n", [5, 50])
def test_the_all_letters_page_costs_the_same_queries_at_5_and_50(client, people, django_assert_max_num_queries, n):
    _letters(people, n)
    client.force_login(people("secretary"))
    # COMMON (7, see test_query_counts) + reply rate + page count + the page's rows.
    with django_assert_max_num_queries(10):
        response = client.get("/mailbox/?box=all")
    assert response.status_code == 200
    assert response.content.decode().count('data-testid="letter-row"') == min(n, 20)


@pytest.mark.postgres
def test_postgres_refuses_to_change_a_reply(people):
    from django.db import connection, transaction
    from django.db.utils import DatabaseError

    letter = write(people)
    services.letter_reply(actor=people("secretary"), letter_id=letter.pk, body="已转后勤处办理。")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE supervision_letterreply SET body = 'changed'")
    assert LetterReply.objects.get().body == "已转后勤处办理。"
