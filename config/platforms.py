"""The school's platforms (docs/deploy.md): how people sign in (password, DingTalk, WeCom, CAS) and
where personal work notices go. Read from the environment; config.settings takes every name."""

import os

from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_float, env_list

# How people sign in: any of password (Yishi's own), dingtalk (QR code in the browser and 免登
# inside the workbench), wecom (企业微信 OAuth) and cas (the campus unified login). An account
# of a platform that no Yishi person carries is refused: nobody registers themselves.
SIGN_IN_METHODS = env_list("SIGN_IN_METHODS", ["password"])
_unknown_methods = set(SIGN_IN_METHODS) - {"password", "dingtalk", "wecom", "cas"}
if _unknown_methods or not SIGN_IN_METHODS:
    raise ImproperlyConfigured(f"SIGN_IN_METHODS={SIGN_IN_METHODS!r}: use password, dingtalk, wecom, cas")
PROVIDER_TIMEOUT_SECONDS = env_float("PROVIDER_TIMEOUT_SECONDS", 10)
# DingTalk internal app (企业内部应用): its AppKey/AppSecret, AgentId (work notices) and CorpId (免登).
DINGTALK_APP_KEY = os.environ.get("DINGTALK_APP_KEY", "")
DINGTALK_APP_SECRET = os.environ.get("DINGTALK_APP_SECRET", "")
DINGTALK_AGENT_ID = os.environ.get("DINGTALK_AGENT_ID", "")
DINGTALK_CORP_ID = os.environ.get("DINGTALK_CORP_ID", "")
# The in-app page gets the 免登 code from DingTalk's JSAPI, which ships with Yishi
# (static/vendor/dingtalk/dingtalk.open.js): never loaded from a CDN, so script-src stays 'self'.
if "DINGTALK_JSAPI_URL" in os.environ:
    raise ImproperlyConfigured(
        "DINGTALK_JSAPI_URL is no longer read: DingTalk's JSAPI is served from static/vendor/dingtalk/; "
        "remove the variable"
    )
DINGTALK_OAPI_URL = os.environ.get("DINGTALK_OAPI_URL", "https://oapi.dingtalk.com")
DINGTALK_API_URL = os.environ.get("DINGTALK_API_URL", "https://api.dingtalk.com")
DINGTALK_LOGIN_URL = os.environ.get("DINGTALK_LOGIN_URL", "https://login.dingtalk.com")
# WeCom self-built app (自建应用): CorpID, the app's Secret and AgentId.
WECOM_CORP_ID = os.environ.get("WECOM_CORP_ID", "")
WECOM_SECRET = os.environ.get("WECOM_SECRET", "")
WECOM_AGENT_ID = os.environ.get("WECOM_AGENT_ID", "")
WECOM_API_URL = os.environ.get("WECOM_API_URL", "https://qyapi.weixin.qq.com")
WECOM_OAUTH_URL = os.environ.get("WECOM_OAUTH_URL", "https://open.weixin.qq.com")
WECOM_SSO_URL = os.environ.get("WECOM_SSO_URL", "https://login.work.weixin.qq.com")
# The campus unified login (CAS 2.0/3.0 server), e.g. https://cas.example.edu.cn/cas
CAS_SERVER_URL = os.environ.get("CAS_SERVER_URL", "").rstrip("/")
CAS_VERSION = os.environ.get("CAS_VERSION", "3")
if CAS_VERSION not in ("2", "3"):
    raise ImproperlyConfigured(f"CAS_VERSION={CAS_VERSION!r}: use 2 or 3")
_needs = {
    "dingtalk": ("DINGTALK_APP_KEY", "DINGTALK_APP_SECRET", "DINGTALK_CORP_ID"),
    "wecom": ("WECOM_CORP_ID", "WECOM_SECRET", "WECOM_AGENT_ID"),
    "cas": ("CAS_SERVER_URL",),
}
for _method in SIGN_IN_METHODS:
    _missing = [name for name in _needs.get(_method, ()) if not globals()[name]]
    if _missing:
        raise ImproperlyConfigured(f"SIGN_IN_METHODS has {_method}: set {', '.join(_missing)}")
# Personal work notices go to whoever carries a DingTalk or WeCom userid once the app's AgentId is set.
WORK_NOTICES = env_bool("WORK_NOTICES", True)
