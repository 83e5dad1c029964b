"""The nightly look at the DingTalk contact directory: nothing is changed without the administrator,
who is told what a sync would change and applies it in the admin (org.directory)."""

import logging

from core.notify import link_for, message, notify
from core.providers.base import ProviderError
from core.providers.dingtalk import DingTalk
from org import directory
from org.models import User

log = logging.getLogger(__name__)


def check_directory() -> int:
    """Tell the administrators when the directory differs from Yishi (once per distinct plan)."""
    if not DingTalk.configured():
        return 0
    try:
        plan = directory.plan()
    except ProviderError as exc:
        log.warning("directory check: DingTalk unavailable: %s", exc)
        return 0
    if not plan.changes:
        return 0
    admins = User.objects.filter(is_active=True, is_superuser=True)
    text = message("directory.changes", confidential=False, count=len(plan.changes))
    return notify(
        recipients=admins,
        key=f"directory:{plan.fingerprint}",
        text=text,
        link=link_for("directory.changes"),
    )
