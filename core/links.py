"""Links: stored as a route and its arguments, reversed when shown; absolute for what leaves the
server (e-mails, the DingTalk group, calendar feeds).

Stored links (notifications, reminders) are a URL name and its arguments (`Link`), never a path:
they are reversed when shown or sent (`path`), so a page that moves takes its old links with it.
They become absolute only here, from settings.SITE_URL: the address people reach Yishi at,
whatever port or proxy the server runs behind.
"""

from dataclasses import dataclass

from django.conf import settings
from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class Link:
    route: str  # a URL name ("decisions:detail"); empty for no link
    args: tuple = ()


def path(route: str, args=()) -> str:
    """The path of a stored link; empty for none, or for a route that no longer exists."""
    if not route:
        return ""
    try:
        return reverse(route, args=list(args or ()))
    except NoReverseMatch:
        return ""


def absolute(path: str) -> str:
    """`path` ("/items/3/") on the site's address; empty for an empty path."""
    if not path:
        return ""
    return f"{settings.SITE_URL.rstrip('/')}/{path.lstrip('/')}"
