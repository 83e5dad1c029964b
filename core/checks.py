"""Start-up checks of the settings that `check --deploy` reports (docs/deploy.md)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Tags, Warning, register
from django.http.request import validate_host

LOOPBACK = {"127.0.0.1", "localhost", "::1", "0.0.0.0"}  # noqa: S104 - names, not a bind address


@register(Tags.security, deploy=True)
def site_url(app_configs=None, **kwargs) -> list[Warning]:
    """Links in e-mails and DingTalk messages start with SITE_URL: it must be the address people
    use, not this machine's, and one this server answers to."""
    host = urlsplit(settings.SITE_URL).hostname or ""
    if host in LOOPBACK:
        return [
            Warning(
                f"SITE_URL is {settings.SITE_URL}: links in e-mails and DingTalk messages would open this machine.",
                hint="Set SITE_URL to the address people reach Yishi at, e.g. https://yishi.example.edu.cn",
                id="yishi.W001",
            )
        ]
    if not validate_host(host, settings.ALLOWED_HOSTS):
        return [
            Warning(
                f"SITE_URL's host {host} is not in ALLOWED_HOSTS: its links would be refused.",
                hint="Add it to ALLOWED_HOSTS, or correct SITE_URL.",
                id="yishi.W002",
            )
        ]
    return []
