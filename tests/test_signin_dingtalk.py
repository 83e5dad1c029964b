"""Signing in with DingTalk, against the local stand-in (tests/fakes): the QR code in a browser and
免登 inside the workbench; a person found by their DingTalk userid or the mobile number on file;
an unknown account refused (nobody is created); each sign-in on record with its method."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.cache import cache

from core.models import AuditEvent
from org.models import User
from tests.fakes.fixtures import fake_dingtalk


@pytest.fixture(autouse=True)
def _dingtalk_on(settings):
    settings.SIGN_IN_METHODS = ["password", "dingtalk"]


@pytest.fixture
def dingtalk(httpserver, settings):
    return fake_dingtalk(httpserver, settings)


def carries(username: str, **ids) -> User:
    User.objects.filter(username=username).update(**ids)
    return User.objects.get(username=username)


def signed_in_as(client) -> str | None:
    user = client.get("/").wsgi_request.user
    return user.username if user.is_authenticated else None


def qr_round_trip(client, code: str, *, next_url: str = ""):
    """The browser: Yishi's button → DingTalk's QR page → back to Yishi with the authCode."""
    started = client.get("/login/dingtalk/" + (f"?next={next_url}" if next_url else ""))
    assert started.status_code == 302
    query = parse_qs(urlsplit(started["Location"]).query)
    assert query["client_id"] == ["ding-app-key"] and query["response_type"] == ["code"]
    assert query["redirect_uri"] == ["http://127.0.0.1:8000/login/dingtalk/callback/"]
    return client.get("/login/dingtalk/callback/", {"authCode": code, "state": query["state"][0]})


def logins(user: User) -> list:
    return list(AuditEvent.objects.filter(verb="account.login", actor=user).values_list("data__method", flat=True))


def test_the_login_page_offers_dingtalk_and_the_password(client, school):
    page = client.get("/login/").content.decode()
    assert 'data-testid="signin-dingtalk"' in page and "钉钉扫码登录" in page
    assert 'name="password"' in page


def test_it_signs_in_by_qr_code_as_the_person_with_that_userid(client, school, dingtalk):
    person = carries("member1", dingtalk_userid="ding-m1")
    code = dingtalk.scan(dingtalk.add_member("ding-m1", mobile="13900000001", name="委员一"))

    response = qr_round_trip(client, code, next_url="/notices/")

    assert response.status_code == 302 and response["Location"] == "/notices/"
    assert signed_in_as(client) == "member1"
    assert logins(person) == ["dingtalk_qr"]


def test_it_finds_the_person_by_mobile_and_keeps_their_userid(client, school, dingtalk):
    person = carries("staff", mobile="13800000009", dingtalk_userid="")
    code = dingtalk.scan(dingtalk.add_member("ding-staff", mobile="+86-13800000009"))

    assert qr_round_trip(client, code).status_code == 302

    assert signed_in_as(client) == "staff"
    person.refresh_from_db()
    assert person.dingtalk_userid == "ding-staff"  # work notices reach them from now on
    assert AuditEvent.objects.filter(verb="account.link", target_id=person.pk, data__platform="dingtalk").exists()


def test_an_account_nobody_carries_is_refused_and_nobody_is_created(client, school, dingtalk):
    before = User.objects.count()
    code = dingtalk.scan(dingtalk.add_member("ding-stranger", mobile="13700000000"))

    response = qr_round_trip(client, code)

    assert response.status_code == 403
    assert "您的钉钉账号尚未在决策一件事中登记，不能登录。请联系党委办公室开通。" in response.content.decode()
    assert signed_in_as(client) is None
    assert User.objects.count() == before
    assert not AuditEvent.objects.filter(verb="account.login").exists()


def test_a_mobile_number_that_carries_another_dingtalk_account_is_refused(client, school, dingtalk):
    carries("staff", mobile="13800000009", dingtalk_userid="ding-old")
    code = dingtalk.scan(dingtalk.add_member("ding-new", mobile="13800000009"))

    response = qr_round_trip(client, code)

    assert response.status_code == 403 and "已关联另一个钉钉账号" in response.content.decode()
    assert signed_in_as(client) is None
    assert User.objects.get(username="staff").dingtalk_userid == "ding-old"


def test_a_deactivated_person_is_refused(client, school, dingtalk):
    carries("teacher", dingtalk_userid="ding-t", is_active=False)
    response = qr_round_trip(client, dingtalk.scan(dingtalk.add_member("ding-t")))
    assert response.status_code == 403 and "您的账号已停用" in response.content.decode()
    assert signed_in_as(client) is None


def test_a_callback_with_another_state_is_refused(client, school, dingtalk):
    carries("member1", dingtalk_userid="ding-m1")
    client.get("/login/dingtalk/")
    code = dingtalk.scan(dingtalk.add_member("ding-m1"))
    response = client.get("/login/dingtalk/callback/", {"authCode": code, "state": "forged"})
    assert response.status_code == 400 and "登录已过期或来源不明" in response.content.decode()
    assert signed_in_as(client) is None


def test_a_used_or_unknown_auth_code_is_refused_in_words(client, school, dingtalk):
    response = qr_round_trip(client, "auth-never-issued")
    assert response.status_code == 403
    assert "钉钉扫码登录未能确认您的身份（授权码无效或已过期），请重新登录。" in response.content.decode()


def test_the_in_app_page_loads_the_jsapi_shipped_with_yishi_under_the_policy(client, school, dingtalk):
    """免登 needs DingTalk's JSAPI: the copy under static/vendor/ (from the npm package), served from
    Yishi's own origin, so the page's policy allows scripts from 'self' only and no CDN."""
    from django.conf import settings

    page = client.get("/login/dingtalk/app/")
    html = page.content.decode()
    src = re.search(r'<script src="([^"]+)"[^>]*data-testid="dingtalk-jsapi"', html).group(1)
    assert src.startswith(settings.STATIC_URL) and src.split("?")[0].endswith("dingtalk.open.js")
    assert "alicdn" not in html and "https://" not in src
    policy = dict(d.strip().split(" ", 1) for d in page["Content-Security-Policy"].split(";") if d.strip())
    assert policy["script-src"] == "'self'"
    shipped = settings.BASE_DIR / "static" / "vendor" / "dingtalk" / "dingtalk.open.js"
    script = shipped.read_text(encoding="utf-8")
    # The bundle defines the global `dd` with the one call the page makes.
    assert script.startswith('"use strict";var dd=') and "runtime.permission.requestAuthCode" in script
    assert (shipped.parent / "LICENSE").exists()


def test_in_app_login_with_the_free_login_code(client, school, dingtalk):
    person = carries("principal", dingtalk_userid="ding-p")
    dingtalk.add_member("ding-p", mobile="13900000002")

    page = client.get("/login/dingtalk/app/")
    assert page.status_code == 200 and 'data-corp-id="dingcorp"' in page.content.decode()
    response = client.post("/login/dingtalk/app/", {"code": dingtalk.open_in_app("ding-p")})

    assert response.status_code == 302 and response["Location"] == "/"
    assert signed_in_as(client) == "principal"
    assert logins(person) == ["dingtalk_app"]


def test_in_app_login_by_the_mobile_number_dingtalk_has(client, school, dingtalk):
    carries("dean", mobile="13600000003", dingtalk_userid="")
    dingtalk.add_member("ding-dean", mobile="13600000003")
    assert client.post("/login/dingtalk/app/", {"code": dingtalk.open_in_app("ding-dean")}).status_code == 302
    assert signed_in_as(client) == "dean"
    assert User.objects.get(username="dean").dingtalk_userid == "ding-dean"


def test_an_expired_app_token_is_fetched_again(client, school, dingtalk):
    carries("principal", dingtalk_userid="ding-p")
    dingtalk.add_member("ding-p")
    cache.set("dingtalk:token:ding-app-key", "a-token-dingtalk-expired", 3600)

    response = client.post("/login/dingtalk/app/", {"code": dingtalk.open_in_app("ding-p")})

    assert response.status_code == 302 and signed_in_as(client) == "principal"
    assert dingtalk.token_requests == 1
    assert cache.get("dingtalk:token:ding-app-key") in dingtalk.tokens


def test_a_rate_limited_dingtalk_is_a_message_to_try_later(client, school, dingtalk):
    carries("principal", dingtalk_userid="ding-p")
    dingtalk.add_member("ding-p")
    dingtalk.rate_limited = 1
    response = client.post("/login/dingtalk/app/", {"code": dingtalk.open_in_app("ding-p")})
    assert response.status_code == 503 and "暂时繁忙，请稍后再试" in response.content.decode()
    assert signed_in_as(client) is None


def test_in_app_login_without_a_code_is_refused(client, school, dingtalk):
    response = client.post("/login/dingtalk/app/", {"code": ""})
    assert response.status_code == 400 and "没有收到钉钉免登授权码" in response.content.decode()


def test_dingtalk_switched_off_has_no_pages(client, school, settings):
    settings.SIGN_IN_METHODS = ["password"]
    assert client.get("/login/dingtalk/").status_code == 404
    assert client.get("/login/dingtalk/callback/", {"authCode": "x", "state": "y"}).status_code == 404
    assert client.post("/login/dingtalk/app/", {"code": "x"}).status_code == 404
    assert "signin-dingtalk" not in client.get("/login/").content.decode()


def test_a_password_login_is_on_record_with_its_method(client, school):
    person = User.objects.get(username="staff")
    person.set_password("a-long-test-password")
    person.save()
    response = client.post("/login/", {"username": "staff", "password": "a-long-test-password"})
    assert response.status_code == 302
    assert logins(person) == ["password"]


def test_passwords_switched_off_are_refused(client, school, settings):
    settings.SIGN_IN_METHODS = ["dingtalk"]
    person = User.objects.get(username="staff")
    person.set_password("a-long-test-password")
    person.save()
    assert 'name="password"' not in client.get("/login/").content.decode()
    response = client.post("/login/", {"username": "staff", "password": "a-long-test-password"})
    assert response.status_code == 403 and "本校未开放密码登录" in response.content.decode()
    assert signed_in_as(client) is None
