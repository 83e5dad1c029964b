"""A CAS 2.0/3.0 client: the browser goes to {CAS_SERVER_URL}/login?service=…, comes back with a
ticket, and Yishi asks the CAS server's serviceValidate (p3/serviceValidate for CAS 3.0) who it
is. Written here, in a few lines over httpx, rather than with django-cas-ng: that package brings
its own login views, session-ticket tables and user creation (CAS_CREATE_USER), and pulls in
requests and lxml; Yishi needs only the ticket check, and its sign-in (matching, refusal, audit)
must be the same for every platform (accounts.services.sign_in).
"""

import urllib.parse
import xml.etree.ElementTree as ET

import httpx
from django.conf import settings
from django.utils.translation import gettext as _

from accounts.providers import SignInRefused

NS = {"cas": "http://www.yale.edu/tp/cas"}


def login_url(*, service: str) -> str:
    return f"{settings.CAS_SERVER_URL}/login?{urllib.parse.urlencode({'service': service})}"


def validate(*, ticket: str, service: str) -> str:
    """The CAS user name for `ticket`, or SignInRefused."""
    path = "p3/serviceValidate" if settings.CAS_VERSION == "3" else "serviceValidate"
    try:
        with httpx.Client(timeout=settings.PROVIDER_TIMEOUT_SECONDS) as http:
            response = http.get(f"{settings.CAS_SERVER_URL}/{path}", params={"ticket": ticket, "service": service})
    except httpx.HTTPError as exc:
        raise SignInRefused(_("统一身份认证暂时无法访问，请稍后再试。"), status=503) from exc
    if response.status_code != 200:
        raise SignInRefused(_("统一身份认证暂时无法访问，请稍后再试。"), status=503)
    try:
        root = ET.fromstring(response.content)  # noqa: S314 - the school's own CAS server, over its fixed address
    except ET.ParseError as exc:
        raise SignInRefused(_("统一身份认证的答复无法识别，请稍后再试。"), status=503) from exc
    user = root.find("cas:authenticationSuccess/cas:user", NS)
    if user is None or not (user.text or "").strip():
        raise SignInRefused(_("统一身份认证未通过或已过期，请重新登录。"))
    return user.text.strip()
