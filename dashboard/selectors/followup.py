"""工作台, 决而未果: the party office's and the discipline committee's list of passed resolutions
that still have neither a supervision task nor a reason on record."""

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dashboard.selectors.sections import Entry, Section, make_section
from org.models import User


def unfollowed_resolutions(user: User, now: dt.datetime) -> Section:
    """决而未果: passed resolutions without a task or a reason, oldest first, with their age."""
    from supervision.selectors.unfollowed import age_days
    from supervision.selectors.unfollowed import unfollowed_resolutions as unfollowed

    def entry(r) -> Entry:
        secret = r.confidential or r.item.confidential
        title = r.number if secret else f"{r.number} {r.item.title}"
        return Entry(title, reverse("supervision:unfollowed"), r.body.name, r.issued_at,
                     _("已 %(days)s 天") % {"days": age_days(r, now)})  # fmt: skip

    return make_section(
        "unfollowed",
        gettext_lazy("决而未果"),
        gettext_lazy("布置任务"),
        gettext_lazy("没有决而未果的决议。"),
        reverse("supervision:unfollowed"),
        unfollowed(),
        entry,
    )
