"""Signing in with WeCom (企业微信) OAuth and the campus CAS, against local stand-ins."""

from urllib.parse import parse_qs, urlsplit

import pytest

from core.models import AuditEvent
from org.models import User
from tests.fakes.fixtures import fake_cas, fake_wecom


@pytest.fixture
def wecom(httpserver, settings):
    settings.SIGN_IN_METHODS = ["wecom"]
    return fake_wecom(httpserver, settings)


@pytest.fixture
def cas(httpserver, settings):
    settings.SIGN_IN_METHODS = ["password", "cas"]
    return fake_cas(httpserver, settings)


def signed_in_as(client) -> str | None:
    user = client.get("/").wsgi_request.user
    return user.username if user.is_authenticated else None


def methods(username: str) -> list:
    events = AuditEvent.objects.filter(verb="account.login", actor__username=username)
    return list(events.values_list("data__method", flat=True))


def wecom_state(client, **headers) -> tuple[str, dict]:
    started = client.get("/login/wecom/", **headers)
    assert started.status_code == 302
    parts = urlsplit(started["Location"])
    return parts.path, parse_qs(parts.query)


def test_wecom_in_a_browser_uses_its_qr_login_and_signs_the_person_in(client, school, wecom):
    User.objects.filter(username="affairsoffice").update(wecom_userid="wx-affairs")
    path, query = wecom_state(client)
    assert path.endswith("/wwlogin/sso/login") and query["login_type"] == ["CorpApp"]
    assert query["appid"] == ["wwcorp"] and query["agentid"] == ["1000002"]

    response = client.get("/login/wecom/callback/", {"code": wecom.authorize("wx-affairs"), "state": query["state"][0]})

    assert response.status_code == 302 and signed_in_as(client) == "affairsoffice"
    assert methods("affairsoffice") == ["wecom"]


def test_wecom_inside_the_app_uses_oauth2_authorize(client, school, wecom):
    path, query = wecom_state(client, HTTP_USER_AGENT="Mozilla/5.0 wxwork/4.1.0 MicroMessenger/7.0.1")
    assert path.endswith("/connect/oauth2/authorize") and query["scope"] == ["snsapi_base"]


def test_wecom_someone_outside_the_school_is_refused(client, school, wecom):
    _path, query = wecom_state(client)
    response = client.get("/login/wecom/callback/", {"code": wecom.authorize(""), "state": query["state"][0]})
    assert response.status_code == 403
    assert "您的企业微信账号尚未在决策一件事中登记" in response.content.decode()
    assert signed_in_as(client) is None


def test_wecom_an_invalid_code_is_refused_in_words(client, school, wecom):
    _path, query = wecom_state(client)
    response = client.get("/login/wecom/callback/", {"code": "wx-never", "state": query["state"][0]})
    assert response.status_code == 403 and "授权码无效或已过期" in response.content.decode()


def test_wecom_unreachable_is_a_message_not_an_error(client, school, settings):
    settings.SIGN_IN_METHODS = ["wecom"]
    settings.WECOM_CORP_ID, settings.WECOM_SECRET, settings.WECOM_AGENT_ID = "wwcorp", "s", "1000002"
    settings.WECOM_API_URL = "http://127.0.0.1:9"  # nothing listens there
    _path, query = wecom_state(client)
    response = client.get("/login/wecom/callback/", {"code": "wx-1", "state": query["state"][0]})
    assert response.status_code == 503 and "暂时无法连接企业微信登录" in response.content.decode()


def test_passwords_off_and_wecom_on_the_login_page_shows_only_wecom(client, school, wecom):
    page = client.get("/login/").content.decode()
    assert "企业微信登录" in page and 'name="password"' not in page


def cas_round_trip(client, cas, user: str, *, next_url: str = "/notices/"):
    started = client.get("/login/cas/", {"next": next_url})
    assert started.status_code == 302
    parts = urlsplit(started["Location"])
    assert parts.path == "/cas/login"
    service = parse_qs(parts.query)["service"][0]
    assert service == "http://127.0.0.1:8000/login/cas/callback/"
    return client.get("/login/cas/callback/", {"ticket": cas.sign_in(user, service)})


def test_cas_signs_in_the_person_with_that_user_name(client, school, cas):
    response = cas_round_trip(client, cas, "dean")
    assert response.status_code == 302 and response["Location"] == "/notices/"
    assert signed_in_as(client) == "dean"
    assert methods("dean") == ["cas"]


def test_cas_2_validates_at_service_validate(client, school, cas, settings):
    settings.CAS_VERSION = "2"
    assert cas_round_trip(client, cas, "teacher").status_code == 302
    assert signed_in_as(client) == "teacher"


def test_cas_an_unknown_user_is_refused(client, school, cas):
    before = User.objects.count()
    response = cas_round_trip(client, cas, "20991234")
    assert response.status_code == 403
    assert "您的统一身份认证账号尚未在决策一件事中登记" in response.content.decode()
    assert User.objects.count() == before and signed_in_as(client) is None


def test_cas_a_ticket_for_another_service_or_used_twice_is_refused(client, school, cas):
    ticket = cas.sign_in("dean", "https://elsewhere.example/")
    response = client.get("/login/cas/callback/", {"ticket": ticket})
    assert response.status_code == 403 and "统一身份认证未通过或已过期" in response.content.decode()
    assert signed_in_as(client) is None


def test_cas_a_callback_without_a_ticket_is_refused(client, school, cas):
    response = client.get("/login/cas/callback/")
    assert response.status_code == 400 and "没有收到授权码" in response.content.decode()


def test_a_next_address_off_the_site_is_not_followed(client, school, cas):
    response = cas_round_trip(client, cas, "dean", next_url="https://evil.example/")
    assert response.status_code == 302 and response["Location"] == "/"
