"""钉钉免登 page in a real browser: DingTalk's JSAPI comes from Yishi's own static files, runs under
the page's Content-Security-Policy (script-src 'self') and gives the page `dd` with the call it
makes; nothing is fetched from anywhere but Yishi."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def dingtalk_on(settings):
    settings.SIGN_IN_METHODS = ["password", "dingtalk"]
    settings.DINGTALK_APP_KEY, settings.DINGTALK_APP_SECRET = "key", "secret"
    settings.DINGTALK_CORP_ID = "dingcorp"


def test_the_jsapi_loads_from_yishi_under_the_policy(page, live_server, dingtalk_on):
    requested, violations = [], []
    page.on("request", lambda request: requested.append(request.url))
    page.on("console", lambda message: violations.append(message.text) if "Content Security" in message.text else None)

    page.goto(f"{live_server.url}/login/dingtalk/app/")
    page.wait_for_load_state("load")

    assert page.evaluate("typeof window.dd") == "object"
    assert page.evaluate("typeof window.dd.ready") == "function"
    assert page.evaluate("typeof window.dd.runtime.permission.requestAuthCode") == "function"
    assert page.locator("#dingtalk-app-login").get_attribute("data-corp-id") == "dingcorp"
    assert any(url.endswith("dingtalk.open.js") or "dingtalk.open." in url for url in requested)
    assert [url for url in requested if not url.startswith(live_server.url)] == []
    assert violations == []
