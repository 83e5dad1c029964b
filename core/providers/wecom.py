"""WeCom (企业微信) as a self-built app of the school (自建应用).

GET  {api}/cgi-bin/gettoken?corpid=&corpsecret=                 the app's access token
GET  {api}/cgi-bin/auth/getuserinfo?access_token=&code=         OAuth code → userid
POST {api}/cgi-bin/message/send                                 an app message to a person
{open}/connect/oauth2/authorize?appid=…#wechat_redirect         OAuth inside WeCom
{sso}/wwlogin/sso/login?login_type=CorpApp&appid=…              QR-code login in a browser
"""

import urllib.parse

import httpx
from django.conf import settings

from core.providers.base import TokenClient, checked


class WeCom(TokenClient):
    platform = "wecom"

    @staticmethod
    def configured() -> bool:
        return bool(settings.WECOM_CORP_ID and settings.WECOM_SECRET)

    @property
    def api(self) -> str:
        return settings.WECOM_API_URL.rstrip("/")

    def _cache_key(self) -> str:
        return f"wecom:token:{settings.WECOM_CORP_ID}:{settings.WECOM_AGENT_ID}"

    def _fetch_token(self, http: httpx.Client) -> tuple[str, int]:
        params = {"corpid": settings.WECOM_CORP_ID, "corpsecret": settings.WECOM_SECRET}
        answer = checked(self.platform, http.get(f"{self.api}/cgi-bin/gettoken", params=params))
        return answer["access_token"], answer.get("expires_in", 7200)

    def login_url(self, *, redirect_uri: str, state: str, inside_app: bool) -> str:
        if inside_app:
            query = {
                "appid": settings.WECOM_CORP_ID,
                "redirect_uri": redirect_uri,
                "response_type": "code",
                "scope": "snsapi_base",
                "state": state,
                "agentid": settings.WECOM_AGENT_ID,
            }
            base = settings.WECOM_OAUTH_URL.rstrip("/")
            return f"{base}/connect/oauth2/authorize?{urllib.parse.urlencode(query)}#wechat_redirect"
        query = {
            "login_type": "CorpApp",
            "appid": settings.WECOM_CORP_ID,
            "agentid": settings.WECOM_AGENT_ID,
            "redirect_uri": redirect_uri,
            "state": state,
        }
        return f"{settings.WECOM_SSO_URL.rstrip('/')}/wwlogin/sso/login?{urllib.parse.urlencode(query)}"

    def userid_by_code(self, code: str) -> str:
        """The member's userid; empty for someone outside the school's WeCom (an openid only)."""
        with self.client() as http:
            answer = self.call(http, "GET", f"{self.api}/cgi-bin/auth/getuserinfo", params={"code": code})
        return answer.get("userid") or answer.get("UserId") or ""

    def send_app_message(self, *, userid: str, title: str, text: str, url: str) -> str:
        """An app message (应用消息) to one person: a text card opening `url` inside WeCom."""
        body = {"touser": userid, "agentid": settings.WECOM_AGENT_ID}
        if url:
            body |= {
                "msgtype": "textcard",
                "textcard": {"title": title, "description": text, "url": url, "btntxt": "详情"},
            }
        else:
            body |= {"msgtype": "text", "text": {"content": text}}
        with self.client() as http:
            answer = self.call(http, "POST", f"{self.api}/cgi-bin/message/send", json=body)
        if answer.get("invaliduser"):
            raise ValueError(f"WeCom does not know the userid {userid!r}")
        return str(answer.get("msgid", ""))
