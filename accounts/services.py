"""Signing in: which Yishi person an external account is, and the record of every sign-in.

    account_for(identity)        the person a platform's account belongs to, or SignInRefused
    signed_in(request, user, …)  Django's login and the audit event `account.login` with its method

A platform's account is found by the id the person carries for it (DingTalk or WeCom userid; for
CAS, the user name), else by the mobile number on file when exactly one active person has it; the
id is then kept on the person (`account.link`), so work notices reach them. Nobody is created:
an account no person carries is refused with a message saying whom to ask.
"""

import logging
import re

from django.contrib.auth import login
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.providers import Identity, SignInRefused
from core import audit
from org.models import User

log = logging.getLogger(__name__)

# The person's id for each platform.
ID_FIELD = {"dingtalk": "dingtalk_userid", "wecom": "wecom_userid", "cas": "username"}
PLATFORM_NAME = {"dingtalk": "钉钉", "wecom": "企业微信", "cas": "统一身份认证"}


def mobile_number(raw: str) -> str:
    """A mainland mobile number as the person file keeps it: 11 digits ("+86-138…" → "138…")."""
    digits = re.sub(r"\D", "", raw or "")
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits


@transaction.atomic
def account_for(identity: Identity) -> User:
    field = ID_FIELD[identity.platform]
    platform = _(PLATFORM_NAME[identity.platform])
    user = None
    if identity.subject:
        user = User.objects.select_for_update().filter(**{field: identity.subject}).first()
    mobile = mobile_number(identity.mobile)
    if user is None and mobile and field != "username":
        found = list(User.objects.select_for_update().filter(mobile=mobile, is_active=True)[:2])
        if len(found) == 1:
            user = found[0]
            if getattr(user, field) and getattr(user, field) != identity.subject:
                log.warning("%s account %s has the mobile number of %s, who carries another", platform, identity, user)
                raise SignInRefused(
                    _("您的手机号已关联另一个%(platform)s账号，请联系党委办公室核对人员信息。") % {"platform": platform}
                )
            if identity.subject:
                setattr(user, field, identity.subject)
                user.save(update_fields=[field])
                audit.record(actor=user, verb="account.link", target=user, data={"platform": identity.platform})
    if user is None:
        log.warning("sign-in refused: %s account %r is not on file", identity.platform, identity.subject)
        raise SignInRefused(
            _("您的%(platform)s账号尚未在决策一件事中登记，不能登录。请联系党委办公室开通。") % {"platform": platform}
        )
    if not user.is_active:
        raise SignInRefused(_("您的账号已停用，不能登录。如有疑问请联系党委办公室。"))
    return user


def signed_in(request, user: User, *, method: str) -> None:
    """Sign `user` in on this request and put it on record with how they signed in."""
    login(request, user, backend="org.backends.YishiBackend")
    audit.record(actor=user, verb="account.login", target=user, data={"method": method})


def sign_in(request, identity: Identity) -> User:
    user = account_for(identity)
    signed_in(request, user, method=identity.method)
    return user
