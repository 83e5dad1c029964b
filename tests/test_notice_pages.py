"""The notice pages: who gets which page (every demo account), reading is the receipt, the sender's
unread list, writing and publishing a notice, the list (unread first, search, empty state, htmx),
the navigation badge, and the list's SQL queries at 5 and 50 notices.

The expected matrix is written from DOMAIN.md ("三通报", "Visibility") and the demo school:
a notice is seen by its recipients, its writer, and the party office （党委办公室） unless it is
confidential; the leaders see every published notice that is not confidential (leaders see
everything not confidential), a department's too; a confidential resolution only by the
attendees of the meeting that resolved it.
Someone who may not see a notice gets 404; only the party office writes and publishes (403).
"""

import re

import pytest
from django.test import Client
from django.utils import timezone

from core.models import AuditEvent
from decisions.models import State
from meetings.models import Resolution
from notices import services
from notices.models import Notice, NoticeRecipient
from org.models import Department, Role, User
from tests.factories import at_state
from tests.test_i18n import _back_to_the_default_language, compiled_catalog  # noqa: F401 (fixtures)

ANON = "anonymous"
LEADERS = {"secretary", "principal", "member1", "member2", "vice", "discipline"}
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
USERS = STAFF | {"admin"}
PC_ATTENDEES = {"secretary", "principal", "member1", "member2", "discipline", "partyoffice"}
NOTICE_LINK = re.compile(r'href="/notices/(\d+)/"')


def user(username: str) -> User:
    return User.objects.get(username=username)


def _only(ok: set[str], *, otherwise: int) -> dict[int, set[str]]:
    return {200: set(ok), otherwise: USERS - ok}


# --- the notices (built by the `world` fixture) --------------------------------------------
#   EVERYONE  an upper-level document for everyone, published
#   DEPT      an upper-level document for 教务处, published
#   SECRET    a confidential PC resolution, noticed to that meeting's attendees
#   DRAFT     an upper-level document for everyone, not yet published
VISIBLE = {
    "EVERYONE": STAFF,  # the administrator's account is not staff: not a recipient
    "DEPT": {"depthead", "staff", "partyoffice"} | LEADERS,
    "SECRET": PC_ATTENDEES,
    "DRAFT": {"partyoffice"},
}

EXPECTED: dict[str, dict[int, set[str]]] = {
    "/notices/": {200: USERS},
    "/notices/?box=sent": _only({"partyoffice"}, otherwise=403),
    "/notices/new/": _only({"partyoffice"}, otherwise=403),
    "/notices/unread/": {200: USERS},
    **{f"/notices/{{{k}}}/": _only(users, otherwise=404) for k, users in VISIBLE.items()},
    "/notices/999999/": {404: USERS},
    "/notices/{DRAFT}/publish/": {405: USERS},  # publishing is a POST
}

# POST /notices/<id>/publish/: the party office publishes a draft; a published notice is not
# published again (409); others who see it may not (403); those who do not see it get 404.
PUBLISH_PUBLISHED = {409: {"partyoffice"}, 403: STAFF - {"partyoffice"}, 404: {"admin"}}


def test_the_matrix_gives_every_user_exactly_one_status_on_every_page():
    for path, cells in [*EXPECTED.items(), ("publish", PUBLISH_PUBLISHED)]:
        seen = [u for users in cells.values() for u in users]
        assert sorted(seen) == sorted(USERS), path


@pytest.fixture
def world(people):
    partyoffice = user("partyoffice")
    everyone = services.notice_create_upper_document(
        actor=partyoffice, title="EVERYONE 上级文件精神", body="全体教职工学习。", everyone=True
    )
    services.notice_publish(actor=partyoffice, notice_id=everyone.pk)
    dept = services.notice_create_upper_document(
        actor=partyoffice,
        title="DEPT 教学工作会议精神",
        body="教务处落实。",
        departments=[Department.objects.get(name="教务处")],
    )
    services.notice_publish(actor=partyoffice, notice_id=dept.pk)
    item = at_state(State.RESOLVED, submitter=user("staff"), confidential=True, title="SECRET 涉密议题")
    secret = services.notice_for_resolution(resolution_id=Resolution.objects.get(item=item).pk)
    draft = services.notice_create_upper_document(
        actor=partyoffice, title="DRAFT 待发布通报", body="草稿。", everyone=True
    )
    return {"EVERYONE": everyone.pk, "DEPT": dept.pk, "SECRET": secret.pk, "DRAFT": draft.pk}


def client_for(username: str) -> Client:
    client = Client(raise_request_exception=False)
    if username != ANON:
        client.force_login(user(username))
    return client


def test_every_account_gets_the_right_status_on_every_notice_page(world):
    problems = []
    for username in sorted(USERS):
        client = client_for(username)
        for path, cells in EXPECTED.items():
            expected = next(status for status, users in cells.items() if username in users)
            status = client.get(path.format(**world)).status_code
            if status != expected:
                problems.append((path, username, status, expected))
        expected = next(s for s, users in PUBLISH_PUBLISHED.items() if username in users)
        status = client.post(f"/notices/{world['EVERYONE']}/publish/").status_code
        if status != expected:
            problems.append(("publish published", username, status, expected))
    assert problems == []


def test_only_the_party_office_publishes_a_draft(world):
    url = f"/notices/{world['DRAFT']}/publish/"
    for username in sorted(USERS - {"partyoffice"}):
        assert client_for(username).post(url).status_code == 404, username  # a draft is not shown to them
    assert Notice.objects.get(pk=world["DRAFT"]).state == Notice.State.DRAFT

    response = client_for("partyoffice").post(url, follow=True)

    assert response.redirect_chain[-1] == (f"/notices/{world['DRAFT']}/", 302)
    assert "通报已发布，送达 13 人。" in response.content.decode()
    assert Notice.objects.get(pk=world["DRAFT"]).state == Notice.State.PUBLISHED


def test_anonymous_visitors_are_sent_to_log_in(world):
    client = client_for(ANON)
    for path in EXPECTED:
        response = client.get(path.format(**world))
        assert response.status_code == 302 and response.url.startswith("/login/"), path
    response = client.post(f"/notices/{world['DRAFT']}/publish/")
    assert response.status_code == 302 and response.url.startswith("/login/")
    # The navigation badge too: a visitor who is not logged in is sent to log in, told nothing.
    response = client.get("/notices/unread/")
    assert response.status_code == 302 and response.url.startswith("/login/")


def test_a_non_party_office_user_cannot_write_a_notice(people, client):
    client.force_login(user("secretary"))
    response = client.post("/notices/new/", {"title": "标题", "body": "正文", "everyone": "on"})
    assert response.status_code == 403
    assert "只有党委办公室可以发布通报" in response.content.decode()
    assert not Notice.objects.exists()


# --- reading ------------------------------------------------------------------------------------------------


def test_opening_a_notice_is_reading_it_once(world, client):
    client.force_login(user("staff"))
    url = f"/notices/{world['DEPT']}/"

    page = client.get(url).content.decode()
    receipt = NoticeRecipient.objects.get(notice_id=world["DEPT"], person__username="staff")
    assert receipt.read_at is not None
    assert 'data-testid="read-at"' in page
    assert 'data-testid="receipts"' not in page  # a reader does not see the others' receipts

    client.get(url)
    assert NoticeRecipient.objects.get(pk=receipt.pk).read_at == receipt.read_at
    assert AuditEvent.objects.filter(verb="notice.read", target_id=world["DEPT"]).count() == 1


def test_the_sender_sees_who_has_not_read(world, client):
    client_for("staff").get(f"/notices/{world['DEPT']}/")
    client.force_login(user("partyoffice"))

    page = client.get(f"/notices/{world['DEPT']}/").content.decode()

    assert "已读 1 / 共 2 人" in page
    unread = re.search(r'data-testid="unread-list">(.*?)</ul>', page, re.S).group(1)
    assert "吴晓东" in unread and "郑小燕" not in unread  # depthead has not read; staff has
    # The party office opening a notice it was not sent records no receipt.
    assert not NoticeRecipient.objects.filter(notice_id=world["DEPT"], person__username="partyoffice").exists()


def test_a_confidential_notice_is_shown_in_short_form_and_every_view_is_logged(world, client):
    client.force_login(user("member2"))
    page = client.get(f"/notices/{world['SECRET']}/").content.decode()

    assert "（涉密）" in page and "SECRET 涉密议题" not in page
    assert AuditEvent.objects.filter(verb="notice.view", target_id=world["SECRET"]).count() == 1


# --- writing and publishing ------------------------------------------------------------------------------------


def test_the_party_office_writes_a_notice_then_publishes_it_with_confirmation(people, client):
    client.force_login(user("partyoffice"))
    assert client.get("/notices/new/").status_code == 200
    finance = Department.objects.get(name="财务处")

    response = client.post(
        "/notices/new/",
        {
            "title": "关于学习全国教育大会精神的通报",
            "body": "全国教育大会精神及学校贯彻要求。",
            "departments": [finance.pk],
            "roles": [Role.PC_MEMBER],
            "people": [user("teacher").pk],
        },
    )

    notice = Notice.objects.get()
    assert response.status_code == 302 and response.url == f"/notices/{notice.pk}/"
    assert notice.state == Notice.State.DRAFT and notice.created_by == user("partyoffice")
    page = client.get(response.url).content.decode()
    assert 'data-testid="notice-publish"' in page and "data-confirm=" in page
    assert "部门：财务处" in page and "角色：党委委员" in page and "人员：黄磊" in page

    response = client.post(f"/notices/{notice.pk}/publish/")

    assert response.status_code == 302
    got = set(NoticeRecipient.objects.filter(notice=notice).values_list("person__username", flat=True))
    assert got == {"finance", "secretary", "principal", "member1", "member2", "teacher"}
    page = client.get(f"/notices/{notice.pk}/").content.decode()
    assert 'data-testid="notice-publish"' not in page
    assert "已读 0 / 共 6 人" in page


@pytest.mark.parametrize(
    "data, error",
    [
        ({"title": "标题", "body": "正文"}, "请选择通报范围"),
        ({"title": "标题", "body": "正文", "everyone": "on", "confidential": "on"}, "涉密通报不能发给全体教职工"),
        ({"title": "", "body": "正文", "everyone": "on"}, "这个字段是必填项"),
    ],
    ids=["no audience", "confidential to everyone", "no title"],
)
def test_a_notice_form_with_a_mistake_is_shown_again(people, client, data, error):
    client.force_login(user("partyoffice"))
    response = client.post("/notices/new/", data)
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not Notice.objects.exists()


# --- the list, the badge --------------------------------------------------------------------------------------


def test_the_list_puts_unread_notices_first_and_searches_titles(world, client):
    client.force_login(user("staff"))
    client.get(f"/notices/{world['EVERYONE']}/")  # read the older one... and the newer stays unread

    page = client.get("/notices/").content.decode()
    ids = [int(i) for i in NOTICE_LINK.findall(page)]
    assert ids == [world["DEPT"], world["EVERYONE"]]
    assert page.count('data-testid="unread"') == 1

    page = client.get("/notices/?q=教学工作").content.decode()
    assert [int(i) for i in NOTICE_LINK.findall(page)] == [world["DEPT"]]
    page = client.get("/notices/?q=没有这样的通报").content.decode()
    assert 'data-testid="empty"' in page and "没有标题含有该关键词的通报" in page


def test_the_list_answers_htmx_with_the_results_only(world, client):
    client.force_login(user("staff"))
    response = client.get("/notices/?q=DEPT", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="results">') and "<nav" not in html.split('id="results"')[0]
    assert [int(i) for i in NOTICE_LINK.findall(html)] == [world["DEPT"]]


def test_someone_without_notices_sees_an_empty_list(people, client):
    client.force_login(user("teacher"))
    page = client.get("/notices/").content.decode()
    assert 'data-testid="empty"' in page and "暂无发给您的通报" in page


def test_the_party_office_sees_every_notice_it_may_with_read_counts(world, client):
    client_for("staff").get(f"/notices/{world['DEPT']}/")
    client.force_login(user("partyoffice"))

    page = client.get("/notices/?box=sent").content.decode()

    ids = [int(i) for i in NOTICE_LINK.findall(page)]
    assert ids[0] == world["DRAFT"]  # drafts first: they wait on the sender
    assert set(ids) == {world["DRAFT"], world["DEPT"], world["EVERYONE"], world["SECRET"]}
    assert "已读 1 / 2" in page


def test_the_navigation_links_to_the_notices_with_the_unread_count(world, client):
    client.force_login(user("staff"))
    home = client.get("/").content.decode()
    assert 'href="/notices/"' in home and 'hx-get="/notices/unread/"' in home

    assert 'data-testid="notice-unread-count">2<' in client.get("/notices/unread/").content.decode()
    client.get(f"/notices/{world['DEPT']}/")
    assert 'data-testid="notice-unread-count">1<' in client.get("/notices/unread/").content.decode()
    client.get(f"/notices/{world['EVERYONE']}/")
    assert client.get("/notices/unread/").content.strip() == b""


# --- SQL queries: the same at 5 and at 50 notices (no N+1) ------------------------------------------------------


def add_notices(n: int, *, to: list[User], read_by: User | None = None) -> list[Notice]:
    now = timezone.now()
    start = Notice.objects.count()
    notices = Notice.objects.bulk_create(
        Notice(
            level=Notice.Level.UPPER_DOCUMENT,
            title=f"批量通报{start + i:03d}",
            body="正文",
            state=Notice.State.PUBLISHED,
            published_at=now,
            created_by=user("partyoffice"),
        )
        for i in range(n)
    )
    NoticeRecipient.objects.bulk_create(
        NoticeRecipient(notice=notice, person=p, read_at=now if p == read_by and i % 2 else None)
        for i, notice in enumerate(notices)
        for p in to
    )
    return notices


# Every logged-in page: session, user, role assignments, unread notifications, screening and
# consultation badges, "chairs a body?" (tests/test_query_counts.py: COMMON).
COMMON = 7
LIST_CASES = {
    # COMMON + the paginator's COUNT + one page of receipts (notice and its meeting joined).
    "my notices, staff": ("/notices/", "staff", COMMON + 2),
    # The party office: COMMON + the review badge (it heads 党委办公室) + COUNT + one page of
    # notices with their read counts (one GROUP BY).
    "all notices, partyoffice": ("/notices/?box=sent", "partyoffice", COMMON + 1 + 2),
}


@pytest.mark.parametrize("name", list(LIST_CASES))
def test_the_notice_list_queries_do_not_grow_with_notices(name, people, client, django_assert_max_num_queries):
    url, username, queries = LIST_CASES[name]
    client.force_login(user(username))
    to = [user("staff"), user("teacher")]

    add_notices(5, to=to, read_by=user("staff"))
    with django_assert_max_num_queries(queries):
        response = client.get(url)
    assert len(set(NOTICE_LINK.findall(response.content.decode()))) == 5

    add_notices(45, to=to, read_by=user("staff"))
    with django_assert_max_num_queries(queries):
        response = client.get(url)
    assert len(set(NOTICE_LINK.findall(response.content.decode()))) == 20
    with django_assert_max_num_queries(queries):
        response = client.get(f"{url}{'&' if '?' in url else '?'}page=3")
    assert len(set(NOTICE_LINK.findall(response.content.decode()))) == 10
    assert "第 3 / 3 页" in response.content.decode()


def test_the_notice_page_queries_do_not_grow_with_recipients(people, client, django_assert_max_num_queries):
    """The sender's page with 5 and 50 unread recipients: COMMON + the review badge, the notice
    (meeting, body, resolution, writer joined), its audiences (+department, person, meeting), the
    viewer's own receipt (none: nothing to record), the read counts, the unread list (+person,
    department)."""
    staff = user("staff")
    readers = User.objects.bulk_create(
        User(username=f"reader{i:02d}", name=f"读者{i:02d}", department=staff.department) for i in range(50)
    )
    (notice,) = add_notices(1, to=[])
    client.force_login(user("partyoffice"))
    for k in (5, 50):
        have = NoticeRecipient.objects.filter(notice=notice).count()
        NoticeRecipient.objects.bulk_create(NoticeRecipient(notice=notice, person=p) for p in readers[have:k])
        with django_assert_max_num_queries(COMMON + 1 + 5):
            response = client.get(f"/notices/{notice.pk}/")
        page = response.content.decode()
        assert response.status_code == 200
        assert len(re.findall(r"读者\d\d", page)) == k


# --- in English ---------------------------------------------------------------------------------------------


def test_the_notice_pages_are_in_english(world, client):
    client.force_login(user("partyoffice"))
    assert client.post("/i18n/setlang/", {"language": "en", "next": "/"}).status_code == 302

    page = client.get("/notices/").content.decode()
    assert '<h1 class="h4 mb-0 me-auto">Notices</h1>' in page
    assert "All notices" in page and "New notice" in page
    page = client.get(f"/notices/{world['DEPT']}/").content.decode()
    assert "Read receipts" in page and "Read by 0 of 2" in page and "Department: 教务处" in page
    page = client.get("/notices/new/").content.decode()
    assert "Audience" in page and "All staff" in page
    response = client.post(f"/notices/{world['EVERYONE']}/publish/")
    assert response.status_code == 409 and "This notice was already published at" in response.content.decode()
