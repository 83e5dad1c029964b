"""Background work for notices. Jobs take ids (or nothing), call services, and are safe to repeat."""

import datetime as dt

from django.utils import timezone

from notices import services


def compile_monthly_digest() -> int:
    """全教会月度通报： compile last month's digest (months in Asia/Shanghai). Run it daily or
    monthly, any number of times: the month gets one digest. Returns its id."""
    today = timezone.localdate(timezone=timezone.get_default_timezone())
    last_month = today.replace(day=1) - dt.timedelta(days=1)
    return services.digest_compile(year=last_month.year, month=last_month.month).pk
