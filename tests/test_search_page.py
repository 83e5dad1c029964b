"""The search page (/search/): box, live fragment, kinds, marked snippets, pagination, empty
states, confidential results, and a query count that does not grow with the documents."""

import re

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone

from core.models import AuditEvent
from decisions.models import AgendaItem, Category, State
from org.models import MeetingBody
from search import services
from tests.factories import at_state, draft
from tests.test_query_counts import COMMON
from tests.test_search_visibility import SECRET_TITLE, build_school

RESULT = re.compile(r'data-testid="result" data-kind="(\w+)"')


def get(client, user, **params):
    client.force_login(user)
    return client.get("/search/", params)


def kinds_shown(response) -> list[str]:
    return RESULT.findall(response.content.decode())


def bulk_items(n: int, submitter, *, title: str = "批量实习议题", state: str = State.SCREENING) -> list[AgendaItem]:
    """n submitted items of `submitter`'s department for the Party committee (the page only reads them)."""
    start = AgendaItem.objects.count()
    now = timezone.now()
    return AgendaItem.objects.bulk_create(
        AgendaItem(
            title=f"{title}{start + i:04d}",
            category=Category.DECISION,
            background="背景：按上级要求加强学生实习管理。",
            proposal="方案",
            requested_body=MeetingBody.objects.get(code="PC"),
            submitter=submitter,
            department_id=submitter.department_id,
            state=state,
            submitted_at=now,
        )
        for i in range(n)
    )


def test_it_needs_a_login(client, db):
    response = client.get("/search/?q=实习")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_without_a_query_it_says_what_it_searches(client, people):
    response = get(client, people("staff"))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="search-input"' in html
    assert "输入关键词，搜索您有权查阅的议题、决议、会议纪要和通报。" in html
    assert kinds_shown(response) == []


def test_a_query_of_punctuation_only_asks_for_words(client, people):
    html = get(client, people("staff"), q="，。！").content.decode()

    assert "请输入文字或数字作为关键词。" in html


def test_it_finds_a_word_inside_a_title_and_marks_it(client, people):
    staff = people("staff")
    item = draft(staff, title="关于修订学生顶岗实习管理办法的请示", background="结合2026年实习工作安排。")
    services.reindex_all()

    response = get(client, staff, q="实习")

    html = response.content.decode()
    assert kinds_shown(response) == ["item"]
    assert f'href="/items/{item.pk}/">关于修订学生顶岗<mark>实习</mark>管理办法的请示</a>' in html
    assert "结合2026年<mark>实习</mark>工作安排。" in html
    assert "共 1 条结果" in html


def test_everything_shown_is_escaped_before_it_is_marked(client, people):
    staff = people("staff")
    draft(staff, title="<script>alert('实习')</script>", background="<img src=x onerror=alert(1)>实习")
    services.reindex_all()

    html = get(client, staff, q="实习").content.decode()

    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(&#x27;<mark>实习</mark>&#x27;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;<mark>实习</mark>" in html


def test_a_query_with_markup_is_shown_as_text(client, people):
    html = get(client, people("staff"), q="<b>实习</b>").content.decode()

    assert "<b>实习</b>" not in html
    assert "&lt;b&gt;实习&lt;/b&gt;" in html


def test_no_results_says_so_in_chinese(client, people):
    html = get(client, people("staff"), q="不存在的词").content.decode()

    assert "没有找到与“不存在的词”相关的内容。请换个关键词再试；搜索结果只包括您有权查阅的内容。" in html


def test_title_matches_come_before_text_matches(client, people):
    staff = people("staff")
    in_text = draft(staff, title="关于学生管理的请示", background="涉及顶岗实习、实习补贴、实习安全。")
    in_title = draft(staff, title="关于实习补贴的请示", background="背景")
    services.reindex_all()

    html = get(client, staff, q="实习").content.decode()

    assert html.index(f"/items/{in_title.pk}/") < html.index(f"/items/{in_text.pk}/")


def test_results_are_tagged_by_kind_and_filtered(client, people):
    school = build_school(people)
    member2 = people("member2")

    everything = get(client, member2, q="实习")
    resolutions = get(client, member2, q="实习", kind="resolution")

    assert sorted(kinds_shown(everything)) == sorted(
        # a leader: the notice to 教务处 too (leaders see everything not confidential)
        ["item", "item", "resolution", "resolution", "minutes", "minutes", "notice", "notice", "notice"]
    )
    assert kinds_shown(resolutions) == ["resolution", "resolution"]
    html = resolutions.content.decode()
    assert f'href="/items/{school.open_item.pk}/"' in html  # a resolution is read on its item's page
    # Tabs: every kind with its count, the current one marked.
    assert re.search(r'aria-current="page">决议 <span class="badge[^"]*">2</span>', html)
    assert re.search(r"会议纪要 <span class=\"badge[^\"]*\">2</span>", html)
    assert re.search(r"全部 <span class=\"badge[^\"]*\">9</span>", html)


def test_each_kind_links_to_its_own_page(client, people):
    school = build_school(people)

    html = get(client, people("partyoffice"), q="实习").content.decode()

    assert f'href="/meetings/minutes/{school.open_minutes.pk}/"' in html
    assert f'href="/notices/{school.dept_notice.pk}/"' in html
    assert f'href="/items/{school.secret_item.pk}/"' in html


def test_an_unknown_kind_shows_everything(client, people):
    staff = people("staff")
    draft(staff, title="关于实习的请示")
    services.reindex_all()

    assert kinds_shown(get(client, staff, q="实习", kind="task")) == ["item"]


def test_an_empty_kind_says_so(client, people):
    staff = people("staff")
    draft(staff, title="关于实习的请示")
    services.reindex_all()

    html = get(client, staff, q="实习", kind="minutes").content.decode()

    assert "此类中没有与“实习”相关的内容，请查看其他类别或换个关键词。" in html


def test_a_confidential_result_shows_its_title_but_no_snippet_and_is_not_logged(client, people):
    """Opening a confidential object is logged on its page; the result list shows only its name
    (as the item lists do, unlogged) and keeps its content for that page."""
    build_school(people)
    views_before = AuditEvent.objects.filter(verb="item.view").count()

    response = get(client, people("member2"), q="合作企业")

    html = response.content.decode()
    assert "关于实习基地<mark>合作企业</mark>人选的请示" in html
    assert "拟与两家企业共建" not in html  # the background, kept for the item page
    assert html.count('data-testid="snippet-withheld"') == len(kinds_shown(response)) == 3
    assert "涉密内容不在搜索结果中显示，请打开查阅（查阅将留痕）。" in html
    assert AuditEvent.objects.filter(verb="item.view").count() == views_before


def test_a_confidential_title_never_reaches_who_may_not_see_it(client, people):
    build_school(people)

    for username in ("vice", "teacher", "affairsoffice"):
        response = get(client, people(username), q="合作企业")
        html = response.content.decode()
        assert kinds_shown(response) == []
        assert SECRET_TITLE not in html
        assert "人选" not in html


def test_the_live_fragment_is_only_the_results(client, people):
    staff = people("staff")
    draft(staff, title="关于实习的请示")
    services.reindex_all()
    client.force_login(staff)

    response = client.get("/search/", {"q": "实习"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")

    html = response.content.decode().strip()
    assert html.startswith('<div id="results">')
    assert "<html" not in html and "navbar" not in html
    assert kinds_shown(response) == ["item"]


def test_the_form_updates_the_results_as_one_types(client, people):
    html = get(client, people("staff"), q="实习").content.decode()

    assert 'hx-get="/search/"' in html
    assert 'hx-target="#results"' in html
    assert "input changed delay:400ms" in html
    assert 'hx-push-url="true"' in html


def test_results_are_paginated_keeping_the_query(client, people):
    staff = people("staff")
    bulk_items(25, staff)
    services.reindex_all()

    first = get(client, staff, q="实习")
    second = get(client, staff, q="实习", page=2)

    assert len(kinds_shown(first)) == 20
    assert len(kinds_shown(second)) == 5
    html = first.content.decode()
    assert "共 25 条结果" in html
    assert "第 1 / 2 页" in html
    assert "?q=%E5%AE%9E%E4%B9%A0&amp;page=2" in html


def test_the_navbar_box_sends_a_get_to_the_search_page(people):
    request = RequestFactory().get("/items/")
    request.user = people("staff")

    html = render_to_string("search/_box.html", request=request)

    assert 'action="/search/"' in html and 'method="get"' in html
    assert 'name="q"' in html and 'value=""' in html


def test_the_navbar_box_keeps_the_query_on_the_search_page(client, people):
    from django.urls import resolve

    request = RequestFactory().get("/search/", {"q": "实习<"})
    request.user = people("staff")
    request.resolver_match = resolve("/search/")

    html = render_to_string("search/_box.html", request=request)

    assert 'value="实习&lt;"' in html


# --- query counts ------------------------------------------------------------------------------------

# The queries of the search page: COMMON (session, user with roles, the navigation), then
# (search.selectors.find) the matching documents' ids and order, with the matched resolutions'
# items and minutes' meetings; the meetings among those with a confidential item and the person's
# own attendance of them (meetings.access.sees_confidential on each); every kind's rule asked
# about the matched objects (one union); then the page's documents (selectors.documents). The
# counts per kind are counted from the rules' answer, not by a query; a kind that matched nothing
# asks nothing of its own.
SEARCH_PAGE_QUERIES = COMMON + 5


@pytest.mark.parametrize("kind", ["", "item"])
def test_the_page_costs_the_same_queries_at_10_and_at_1000_documents(client, people, django_assert_num_queries, kind):
    build_school(people)  # every kind, and a meeting whose minutes hold a secret
    staff, secretary = people("staff"), people("secretary")
    bulk_items(10 - 2, staff)  # with the school's two items: 10 items
    services.reindex_all()
    client.force_login(secretary)
    params = {"q": "实习", "kind": kind}

    with django_assert_num_queries(SEARCH_PAGE_QUERIES):
        small = client.get("/search/", params)
    bulk_items(990, staff)
    services.reindex_all()
    with django_assert_num_queries(SEARCH_PAGE_QUERIES):
        big = client.get("/search/", params)
    with django_assert_num_queries(SEARCH_PAGE_QUERIES):
        last = client.get("/search/", {**params, "page": 50})

    # The secretary sees the school's eight documents that say 实习 (two of them items, one the
    # notice to 教务处: leaders see everything not confidential) and the rest.
    assert len(kinds_shown(small)) == (16 if not kind else 10)
    assert len(kinds_shown(big)) == 20
    assert ("共 1006 条结果" if not kind else "共 1000 条结果") in big.content.decode()
    assert len(kinds_shown(last)) == 20


def test_a_query_matching_nothing_costs_no_more(client, people, django_assert_num_queries):
    build_school(people)
    services.reindex_all()
    client.force_login(people("secretary"))

    with django_assert_num_queries(COMMON + 1):  # the match alone: no rule to ask, no page of documents
        response = client.get("/search/", {"q": "不存在的词"})

    assert kinds_shown(response) == []


def test_a_page_without_a_query_costs_only_the_navbar(client, people, django_assert_num_queries):
    client.force_login(people("secretary"))

    with django_assert_num_queries(COMMON):
        client.get("/search/")


def test_a_result_of_any_stage_is_found(client, people):
    staff = people("staff")
    for state in (State.DRAFT, State.DEPT_REVIEW, State.RETURNED, State.SCREENING, State.REJECTED):
        at_state(state, submitter=staff, title=f"关于实习的请示（{state}）")
    services.reindex_all()

    assert kinds_shown(get(client, staff, q="实习")) == ["item"] * 5
