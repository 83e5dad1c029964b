"""Absolute links, for what leaves the server (e-mails, the DingTalk group, calendar feeds).

Stored links (notifications, reminders) are paths, reversed from the URL names; they become
absolute only here, from settings.SITE_URL: the address people reach Yishi at, whatever port or
proxy the server runs behind.
"""

from django.conf import settings


def absolute(path: str) -> str:
    """`path` ("/items/3/") on the site's address; empty for an empty path."""
    if not path:
        return ""
    return f"{settings.SITE_URL.rstrip('/')}/{path.lstrip('/')}"
