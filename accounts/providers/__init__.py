"""One interface for every way of signing in (SIGN_IN_METHODS in settings).

A provider sends the browser to the platform (`start_url`) and turns what comes back to Yishi
(`identify`: a code, an authCode, a CAS ticket) into an `Identity`: the platform, the person's id
there and, where the platform gives it, the mobile number. Which Yishi person that is, and
whether they may sign in, is decided once for all of them by `accounts.services.sign_in`.

    password      Yishi's own passwords (django.contrib.auth), as before
    dingtalk      钉钉: the QR code in a browser (`DingTalkQR`), 免登 inside the workbench (`DingTalkApp`)
    wecom         企业微信 OAuth (inside WeCom, or its QR code in a browser)
    cas           the campus unified login, CAS 2.0/3.0 (accounts.providers.cas)
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from core.providers.dingtalk import DingTalk
from core.providers.wecom import WeCom


@dataclass(frozen=True)
class Identity:
    platform: str  # "dingtalk", "wecom", "cas": which id of a person it is matched against
    method: str  # how they signed in, as the audit log says it
    subject: str  # the person's id on the platform (userid; the CAS user name)
    mobile: str = ""
    name: str = ""


class SignInRefused(Exception):
    """Signing in was refused; `reason` is shown on the login page."""

    def __init__(self, reason, status: int = 403):
        self.reason, self.status = str(reason), status
        super().__init__(self.reason)


class Provider:
    method = ""  # as in SIGN_IN_METHODS and the audit log
    platform = ""
    label = ""
    code_field = "code"  # the query parameter the platform sends back

    def start_url(self, *, callback_url: str, state: str, user_agent: str = "") -> str:
        raise NotImplementedError

    def identify(self, value: str, *, callback_url: str) -> Identity:
        raise NotImplementedError


class DingTalkQR(Provider):
    method, platform, label, code_field = "dingtalk_qr", "dingtalk", _("钉钉扫码登录"), "authCode"

    def start_url(self, *, callback_url, state, user_agent=""):
        return DingTalk().qr_login_url(redirect_uri=callback_url, state=state)

    def identify(self, value, *, callback_url):
        member = DingTalk().member_by_auth_code(value)
        return Identity(self.platform, self.method, member.userid, member.mobile, member.name)


class DingTalkApp(Provider):
    """免登: the page opened from the workbench asks DingTalk's JSAPI for a code and posts it."""

    method, platform, label = "dingtalk_app", "dingtalk", _("钉钉工作台免登")

    def identify(self, value, *, callback_url):
        member = DingTalk().member_by_app_code(value)
        return Identity(self.platform, self.method, member.userid, member.mobile, member.name)


class WeComOAuth(Provider):
    method, platform, label = "wecom", "wecom", _("企业微信登录")

    def start_url(self, *, callback_url, state, user_agent=""):
        inside = "wxwork" in user_agent.lower()
        return WeCom().login_url(redirect_uri=callback_url, state=state, inside_app=inside)

    def identify(self, value, *, callback_url):
        return Identity(self.platform, self.method, WeCom().userid_by_code(value))


class CAS(Provider):
    method, platform, label, code_field = "cas", "cas", _("统一身份认证登录"), "ticket"

    def start_url(self, *, callback_url, state, user_agent=""):
        from accounts.providers.cas import login_url

        return login_url(service=callback_url)

    def identify(self, value, *, callback_url):
        from accounts.providers.cas import validate

        return Identity(self.platform, self.method, validate(ticket=value, service=callback_url))


# The browser flows by the name in the URL (/login/<name>/); 免登 has its own page.
BROWSER = {"dingtalk": DingTalkQR(), "wecom": WeComOAuth(), "cas": CAS()}
IN_APP = DingTalkApp()


def enabled(name: str) -> bool:
    return name in settings.SIGN_IN_METHODS


def browser_providers() -> list[tuple[str, Provider]]:
    """The buttons on the login page, in the order SIGN_IN_METHODS gives."""
    return [(name, BROWSER[name]) for name in settings.SIGN_IN_METHODS if name in BROWSER]
