"""Local stand-ins for DingTalk, WeCom and a campus CAS server, on 127.0.0.1 (pytest-httpserver).

Each answers its platform's real endpoints in the shapes the platforms document: the app's access
token (which can be made to expire), the sign-in codes (used once), the person's details, the
message send (recorded), the errors (errcode/errmsg; HTTP 400 with code/message on DingTalk's
v1.0 API) and rate limits. No test reaches the internet: the settings point Yishi here.
"""

import json
import secrets
from dataclasses import dataclass, field
from urllib.parse import parse_qs

from werkzeug import Request, Response


def _json(payload: dict, status: int = 200) -> Response:
    return Response(json.dumps(payload, ensure_ascii=False), status=status, content_type="application/json")


@dataclass
class Member:
    userid: str
    unionid: str = ""
    mobile: str = ""
    name: str = ""


@dataclass
class FakeDingTalk:
    """DingTalk's oapi (gettoken, topapi/…) and api (v1.0/…) on one local server."""

    server: object
    app_key: str = "ding-app-key"
    app_secret: str = "ding-app-secret"
    members: dict = field(default_factory=dict)  # userid → Member (the school's organisation)
    qr_codes: dict = field(default_factory=dict)  # authCode → Member (any DingTalk account)
    app_codes: dict = field(default_factory=dict)  # 免登 code → userid
    tokens: set = field(default_factory=set)
    user_tokens: dict = field(default_factory=dict)
    sent: list = field(default_factory=list)
    token_requests: int = 0
    rate_limited: int = 0  # the next n topapi calls answer "too many calls"

    def __post_init__(self):
        s = self.server
        s.expect_request("/gettoken").respond_with_handler(self._gettoken)
        s.expect_request("/topapi/v2/user/getuserinfo", method="POST").respond_with_handler(self._getuserinfo)
        s.expect_request("/topapi/v2/user/get", method="POST").respond_with_handler(self._user_get)
        s.expect_request("/topapi/user/getbyunionid", method="POST").respond_with_handler(self._by_unionid)
        s.expect_request("/topapi/message/corpconversation/asyncsend_v2", method="POST").respond_with_handler(
            self._asyncsend
        )
        s.expect_request("/v1.0/oauth2/userAccessToken", method="POST").respond_with_handler(self._user_token)
        s.expect_request("/v1.0/contact/users/me").respond_with_handler(self._me)

    def settings(self, settings, *, agent_id: str = "3001", corp_id: str = "dingcorp") -> None:
        base = self.server.url_for("").rstrip("/")
        settings.DINGTALK_OAPI_URL = settings.DINGTALK_API_URL = base
        settings.DINGTALK_LOGIN_URL = f"{base}/login"
        settings.DINGTALK_APP_KEY, settings.DINGTALK_APP_SECRET = self.app_key, self.app_secret
        settings.DINGTALK_AGENT_ID, settings.DINGTALK_CORP_ID = agent_id, corp_id

    def add_member(self, userid: str, *, mobile: str = "", name: str = "") -> Member:
        member = Member(userid, unionid=f"union-{userid}", mobile=mobile, name=name)
        self.members[userid] = member
        return member

    def scan(self, member: Member) -> str:
        """The person scans the QR code: DingTalk will send Yishi this authCode."""
        code = f"auth-{secrets.token_hex(4)}"
        self.qr_codes[code] = member
        return code

    def open_in_app(self, userid: str) -> str:
        """The person opens Yishi in the workbench: the JSAPI gives the page this code."""
        code = f"app-{secrets.token_hex(4)}"
        self.app_codes[code] = userid
        return code

    def expire_tokens(self) -> None:
        self.tokens.clear()

    # --- the endpoints --------------------------------------------------------------------

    def _gettoken(self, request: Request) -> Response:
        self.token_requests += 1
        if (request.args.get("appkey"), request.args.get("appsecret")) != (self.app_key, self.app_secret):
            return _json({"errcode": 40089, "errmsg": "不合法的corpid或corpsecret"})
        token = f"app-token-{secrets.token_hex(6)}"
        self.tokens.add(token)
        return _json({"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200})

    def _app_call(self, request: Request) -> Response | None:
        """The checks every topapi call makes: a live token, and the rate limit."""
        if request.args.get("access_token") not in self.tokens:
            return _json({"errcode": 42001, "errmsg": "access_token超时"})
        if self.rate_limited:
            self.rate_limited -= 1
            return _json({"errcode": 90018, "errmsg": "当前企业调用该接口的次数超过限制，请稍后再试"})
        return None

    def _getuserinfo(self, request: Request) -> Response:
        refused = self._app_call(request)
        if refused:
            return refused
        userid = self.app_codes.pop(request.get_json().get("code", ""), None)
        if userid is None:
            return _json({"errcode": 40078, "errmsg": "不存在的临时授权码"})
        member = self.members[userid]
        result = {"userid": userid, "unionid": member.unionid, "name": member.name, "device_id": "d1", "sys": False}
        return _json({"errcode": 0, "errmsg": "ok", "result": result, "request_id": "r1"})

    def _user_get(self, request: Request) -> Response:
        refused = self._app_call(request)
        if refused:
            return refused
        member = self.members.get(request.get_json().get("userid", ""))
        if member is None:
            return _json({"errcode": 60121, "errmsg": "找不到该用户"})
        result = {"userid": member.userid, "unionid": member.unionid, "name": member.name, "mobile": member.mobile}
        return _json({"errcode": 0, "errmsg": "ok", "result": result})

    def _by_unionid(self, request: Request) -> Response:
        refused = self._app_call(request)
        if refused:
            return refused
        unionid = request.get_json().get("unionid", "")
        for member in self.members.values():
            if member.unionid == unionid:
                return _json({"errcode": 0, "errmsg": "ok", "result": {"contact_type": 0, "userid": member.userid}})
        return _json({"errcode": 60121, "errmsg": "找不到该用户"})

    def _asyncsend(self, request: Request) -> Response:
        refused = self._app_call(request)
        if refused:
            return refused
        body = request.get_json()
        self.sent.append(body)
        return _json({"errcode": 0, "errmsg": "ok", "task_id": 1000 + len(self.sent), "request_id": "r2"})

    def _user_token(self, request: Request) -> Response:
        body = request.get_json()
        member = self.qr_codes.pop(body.get("code", ""), None)
        if (body.get("clientId"), body.get("clientSecret")) != (self.app_key, self.app_secret):
            return _json({"code": "InvalidAuthentication", "message": "clientId或clientSecret错误"}, 400)
        if member is None or body.get("grantType") != "authorization_code":
            return _json({"code": "invalidAuthCode", "message": "不合法的临时授权码"}, 400)
        token = f"user-token-{secrets.token_hex(6)}"
        self.user_tokens[token] = member
        return _json({"accessToken": token, "refreshToken": "r", "expireIn": 7200, "corpId": "dingcorp"})

    def _me(self, request: Request) -> Response:
        member = self.user_tokens.get(request.headers.get("x-acs-dingtalk-access-token", ""))
        if member is None:
            return _json({"code": "InvalidAuthentication", "message": "不合法的access_token"}, 401)
        return _json(
            {"nick": member.name, "unionId": member.unionid, "openId": "o1", "mobile": member.mobile, "stateCode": "86"}
        )


@dataclass
class FakeWeCom:
    server: object
    corp_id: str = "wwcorp"
    secret: str = "wecom-secret"
    codes: dict = field(default_factory=dict)  # code → userid ("" for someone outside the school)
    tokens: set = field(default_factory=set)
    sent: list = field(default_factory=list)
    rate_limited: int = 0

    def __post_init__(self):
        s = self.server
        s.expect_request("/cgi-bin/gettoken").respond_with_handler(self._gettoken)
        s.expect_request("/cgi-bin/auth/getuserinfo").respond_with_handler(self._getuserinfo)
        s.expect_request("/cgi-bin/message/send", method="POST").respond_with_handler(self._send)

    def settings(self, settings, *, agent_id: str = "1000002") -> None:
        base = self.server.url_for("").rstrip("/")
        settings.WECOM_API_URL = base
        settings.WECOM_OAUTH_URL = settings.WECOM_SSO_URL = f"{base}/wecom-login"
        settings.WECOM_CORP_ID, settings.WECOM_SECRET, settings.WECOM_AGENT_ID = self.corp_id, self.secret, agent_id

    def authorize(self, userid: str) -> str:
        code = f"wx-{secrets.token_hex(4)}"
        self.codes[code] = userid
        return code

    def _gettoken(self, request: Request) -> Response:
        if (request.args.get("corpid"), request.args.get("corpsecret")) != (self.corp_id, self.secret):
            return _json({"errcode": 40001, "errmsg": "invalid credential"})
        token = f"wx-token-{secrets.token_hex(6)}"
        self.tokens.add(token)
        return _json({"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200})

    def _checked(self, request: Request) -> Response | None:
        if request.args.get("access_token") not in self.tokens:
            return _json({"errcode": 42001, "errmsg": "access_token expired"})
        if self.rate_limited:
            self.rate_limited -= 1
            return _json({"errcode": 45009, "errmsg": "api freq out of limit"})
        return None

    def _getuserinfo(self, request: Request) -> Response:
        refused = self._checked(request)
        if refused:
            return refused
        code = request.args.get("code", "")
        if code not in self.codes:
            return _json({"errcode": 40029, "errmsg": "invalid code"})
        userid = self.codes.pop(code)
        if not userid:  # not a member of the school's WeCom: an openid only
            return _json({"errcode": 0, "errmsg": "ok", "openid": "oXYZ", "external_userid": ""})
        return _json({"errcode": 0, "errmsg": "ok", "userid": userid, "user_ticket": "t"})

    def _send(self, request: Request) -> Response:
        refused = self._checked(request)
        if refused:
            return refused
        self.sent.append(request.get_json())
        return _json({"errcode": 0, "errmsg": "ok", "invaliduser": "", "msgid": f"m{len(self.sent)}"})


@dataclass
class FakeCAS:
    """A CAS 2.0/3.0 server: /cas/login hands out service tickets, serviceValidate checks them."""

    server: object
    tickets: dict = field(default_factory=dict)  # ticket → (user, service)

    def __post_init__(self):
        self.server.expect_request("/cas/p3/serviceValidate").respond_with_handler(self._validate)
        self.server.expect_request("/cas/serviceValidate").respond_with_handler(self._validate)

    def settings(self, settings, *, version: str = "3") -> None:
        settings.CAS_SERVER_URL = self.server.url_for("/cas").rstrip("/")
        settings.CAS_VERSION = version

    def sign_in(self, user: str, service: str) -> str:
        ticket = f"ST-{secrets.token_hex(6)}"
        self.tickets[ticket] = (user, service)
        return ticket

    def _validate(self, request: Request) -> Response:
        query = parse_qs(request.query_string.decode())
        ticket, service = query.get("ticket", [""])[0], query.get("service", [""])[0]
        found = self.tickets.pop(ticket, None)
        ns = 'xmlns:cas="http://www.yale.edu/tp/cas"'
        if found is None or found[1] != service:
            body = (
                f'<cas:serviceResponse {ns}><cas:authenticationFailure code="INVALID_TICKET">'
                f"Ticket {ticket} not recognized</cas:authenticationFailure></cas:serviceResponse>"
            )
        else:
            body = (
                f"<cas:serviceResponse {ns}><cas:authenticationSuccess><cas:user>{found[0]}</cas:user>"
                "<cas:attributes><cas:name>x</cas:name></cas:attributes>"
                "</cas:authenticationSuccess></cas:serviceResponse>"
            )
        return Response(body, content_type="application/xml; charset=utf-8")
