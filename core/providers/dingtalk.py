"""DingTalk (钉钉) as an internal app of the school's organisation (企业内部应用).

Endpoints, as DingTalk documents them:

    GET  {oapi}/gettoken?appkey=&appsecret=                       the app's access token
    POST {oapi}/topapi/v2/user/getuserinfo {code}                 免登 code → userid (inside DingTalk)
    POST {oapi}/topapi/v2/user/get {userid}                       a member's mobile number
    POST {oapi}/topapi/user/getbyunionid {unionid}                unionid → userid
    POST {oapi}/topapi/message/corpconversation/asyncsend_v2      a work notice (工作通知) to people
    POST {api}/v1.0/oauth2/userAccessToken                        QR login: authCode → the person's token
    GET  {api}/v1.0/contact/users/me                              QR login: the person (unionId, mobile)
    {login}/oauth2/auth?client_id=…&redirect_uri=…               the QR-code login page the browser opens
"""

import urllib.parse
from dataclasses import dataclass

import httpx
from django.conf import settings

from core.providers.base import ProviderError, TokenClient, checked


@dataclass(frozen=True)
class Member:
    """Who DingTalk says signed in. `userid` is empty when DingTalk gave only the unionId."""

    userid: str = ""
    unionid: str = ""
    mobile: str = ""
    name: str = ""


class DingTalk(TokenClient):
    platform = "dingtalk"

    @staticmethod
    def configured() -> bool:
        return bool(settings.DINGTALK_APP_KEY and settings.DINGTALK_APP_SECRET)

    @property
    def oapi(self) -> str:
        return settings.DINGTALK_OAPI_URL.rstrip("/")

    @property
    def api(self) -> str:
        return settings.DINGTALK_API_URL.rstrip("/")

    def _cache_key(self) -> str:
        return f"dingtalk:token:{settings.DINGTALK_APP_KEY}"

    def _fetch_token(self, http: httpx.Client) -> tuple[str, int]:
        params = {"appkey": settings.DINGTALK_APP_KEY, "appsecret": settings.DINGTALK_APP_SECRET}
        answer = checked(self.platform, http.get(f"{self.oapi}/gettoken", params=params))
        return answer["access_token"], answer.get("expires_in", 7200)

    # --- sign-in ---------------------------------------------------------------------------

    def qr_login_url(self, *, redirect_uri: str, state: str) -> str:
        query = {
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "client_id": settings.DINGTALK_APP_KEY,
            "scope": "openid",
            "state": state,
            "prompt": "consent",
        }
        return f"{settings.DINGTALK_LOGIN_URL.rstrip('/')}/oauth2/auth?{urllib.parse.urlencode(query)}"

    def member_by_auth_code(self, auth_code: str) -> Member:
        """QR login: the authCode DingTalk sent back → the person, with their userid in this school."""
        with self.client() as http:
            body = {
                "clientId": settings.DINGTALK_APP_KEY,
                "clientSecret": settings.DINGTALK_APP_SECRET,
                "code": auth_code,
                "grantType": "authorization_code",
            }
            token = checked(self.platform, http.post(f"{self.api}/v1.0/oauth2/userAccessToken", json=body))
            headers = {"x-acs-dingtalk-access-token": token["accessToken"]}
            me = checked(self.platform, http.get(f"{self.api}/v1.0/contact/users/me", headers=headers))
            unionid = me.get("unionId", "")
            userid = ""
            if unionid:
                try:
                    found = self.call(http, "POST", f"{self.oapi}/topapi/user/getbyunionid", json={"unionid": unionid})
                    userid = (found.get("result") or {}).get("userid", "")
                except ProviderError as exc:
                    if exc.rate_limited:
                        raise
                    # Not a member of the school's organisation: only the mobile number can tell.
            return Member(userid=userid, unionid=unionid, mobile=me.get("mobile", ""), name=me.get("nick", ""))

    def member_by_app_code(self, code: str) -> Member:
        """免登 inside the DingTalk workbench: the JSAPI code → the member (and their mobile)."""
        with self.client() as http:
            answer = self.call(http, "POST", f"{self.oapi}/topapi/v2/user/getuserinfo", json={"code": code})
            result = answer.get("result") or {}
            userid = result.get("userid", "")
            mobile = ""
            if userid:
                try:
                    detail = self.call(http, "POST", f"{self.oapi}/topapi/v2/user/get", json={"userid": userid})
                    mobile = (detail.get("result") or {}).get("mobile", "")
                except ProviderError as exc:
                    if exc.rate_limited:
                        raise
                    # Without the contact permission the userid alone must match.
            return Member(userid=userid, unionid=result.get("unionid", ""), mobile=mobile, name=result.get("name", ""))

    # --- work notices ------------------------------------------------------------------------

    def send_work_notice(self, *, userid: str, title: str, text: str, url: str) -> str:
        """A work notice (工作通知) to one person: an action card whose button opens `url` inside
        DingTalk. Returns DingTalk's task id."""
        msg = {"msgtype": "text", "text": {"content": text}}
        if url:
            msg = {
                "msgtype": "action_card",
                "action_card": {
                    "title": title,
                    "markdown": text,
                    "single_title": "查看详情",
                    "single_url": in_app(url),
                },
            }
        body = {"agent_id": settings.DINGTALK_AGENT_ID, "userid_list": userid, "msg": msg}
        with self.client() as http:
            answer = self.call(http, "POST", f"{self.oapi}/topapi/message/corpconversation/asyncsend_v2", json=body)
        return str(answer.get("task_id", ""))


def in_app(url: str) -> str:
    """A link that opens `url` in DingTalk's own window (on the phone, and in the PC client's side
    panel) instead of the system browser, where the person would have to sign in again."""
    query = urllib.parse.urlencode({"url": url, "pc_slide": "true"})
    return f"dingtalk://dingtalkclient/page/link?{query}"
