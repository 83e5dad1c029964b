"""Sign-in pages: the login page with every method switched on, and each platform's round trip.

The round trip: /login/<method>/ keeps a random state in the session and sends the browser to the
platform; the platform sends it back to /login/<method>/callback/ with a code (and the state),
which the provider turns into an Identity and accounts.services.sign_in into a person, or a
refusal shown on the login page. 免登 inside DingTalk is /login/dingtalk/app/: the page asks
DingTalk's JSAPI for a code and posts it back.
"""

import logging
import secrets

import httpx
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from accounts import providers, services
from accounts.forms import AppCodeForm, CallbackForm
from accounts.providers import SignInRefused
from core.forms import LoginForm
from core.links import absolute
from core.providers.base import ProviderError

log = logging.getLogger(__name__)

STATE_KEY = "signin_state"
NEXT_KEY = "signin_next"


def _login_context() -> dict:
    return {
        "password_login": providers.enabled("password"),
        "providers": [(name, p.label) for name, p in providers.browser_providers()],
    }


class LoginView(auth_views.LoginView):
    """Yishi's own password, where SIGN_IN_METHODS has it; the buttons of the others."""

    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | _login_context()

    def post(self, request, *args, **kwargs):
        if not providers.enabled("password"):
            return _refused(request, SignInRefused(_("本校未开放密码登录，请使用页面上的其他登录方式。")))
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        services.signed_in(self.request, form.get_user(), method="password")
        return response


def _refused(request, refusal: SignInRefused):
    context = {"form": LoginForm(request), "refusal": refusal.reason, "next": ""} | _login_context()
    return render(request, "registration/login.html", context, status=refusal.status)


def _callback_url(name: str) -> str:
    return absolute(reverse("accounts:callback", args=[name]))


def _safe_next(request, value: str) -> str:
    if value and url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()}, require_https=False):
        return value
    return reverse(settings.LOGIN_REDIRECT_URL)


def start(request, name: str):
    if not providers.enabled(name) or name not in providers.BROWSER:
        raise Http404
    state = secrets.token_urlsafe(24)
    request.session[STATE_KEY] = f"{name}:{state}"
    request.session[NEXT_KEY] = _safe_next(request, request.GET.get("next", ""))
    agent = request.headers.get("User-Agent", "")
    return redirect(providers.BROWSER[name].start_url(callback_url=_callback_url(name), state=state, user_agent=agent))


def callback(request, name: str):
    if not providers.enabled(name) or name not in providers.BROWSER:
        raise Http404
    provider = providers.BROWSER[name]
    form = CallbackForm(request.GET, code_field=provider.code_field)
    expected = request.session.pop(STATE_KEY, "")
    if not form.is_valid():
        return _refused(request, SignInRefused(_("登录未完成：没有收到授权码，请重新登录。"), status=400))
    # CAS sends no state back: its ticket is bound to the service address instead.
    if name != "cas" and not secrets.compare_digest(expected, f"{name}:{form.cleaned_data['state']}"):
        return _refused(request, SignInRefused(_("登录已过期或来源不明，请重新登录。"), status=400))
    return _finish(request, provider, form.cleaned_data["code"], callback_url=_callback_url(name))


def dingtalk_app(request):
    """免登 inside the DingTalk workbench: the page gets a code from DingTalk and posts it here."""
    if not providers.enabled("dingtalk"):
        raise Http404
    form = AppCodeForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            return _refused(
                request, SignInRefused(_("登录未完成：没有收到钉钉免登授权码，请重新打开应用。"), status=400)
            )
        request.session[NEXT_KEY] = _safe_next(request, request.GET.get("next", ""))
        return _finish(request, providers.IN_APP, form.cleaned_data["code"], callback_url="")
    # DingTalk's JSAPI is the copy under static/vendor/dingtalk/ (the template loads it).
    context = {"corp_id": settings.DINGTALK_CORP_ID, "form": form}
    return render(request, "accounts/dingtalk_app.html", context)


def _finish(request, provider, code: str, *, callback_url: str):
    try:
        identity = provider.identify(code, callback_url=callback_url)
        services.sign_in(request, identity)
    except SignInRefused as refusal:
        return _refused(request, refusal)
    except ProviderError as exc:
        log.warning("sign-in with %s failed: %s", provider.method, exc)
        if exc.rate_limited:
            reason = _("登录的人较多，%(label)s暂时繁忙，请稍后再试。")
        else:
            reason = _("%(label)s未能确认您的身份（授权码无效或已过期），请重新登录。")
        return _refused(
            request, SignInRefused(reason % {"label": provider.label}, status=503 if exc.rate_limited else 403)
        )
    except httpx.HTTPError as exc:  # the platform unreachable or too slow: a message, never a 500
        log.warning("sign-in with %s could not reach the platform: %s", provider.method, exc)
        return _refused(
            request, SignInRefused(_("暂时无法连接%(label)s，请稍后再试。") % {"label": provider.label}, 503)
        )
    return redirect(request.session.pop(NEXT_KEY, "") or reverse(settings.LOGIN_REDIRECT_URL))
