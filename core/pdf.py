"""HTML to PDF with WeasyPrint, set in the Chinese fonts shipped under static/fonts/.

The PDF templates include templates/pdf/_fonts.html, whose @font-face rules name the fonts by a
path under static/; this module resolves those paths with the staticfiles finders (so it works
from a checkout, without collectstatic) and fetches nothing else: no network, no other file.
"""

from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

from django.contrib.staticfiles import finders

STATIC_BASE = "file:///yishi-static/"


def static_fetcher():
    """A WeasyPrint URL fetcher that reads STATIC_BASE/<path> with the staticfiles finders."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme != "file" or parts.netloc or not parts.path.startswith("/yishi-static/"):
                raise PermissionError(f"a PDF may load only Yishi's static files, not {url}")
            relative = PurePosixPath(unquote(parts.path.removeprefix("/yishi-static/")))
            if ".." in relative.parts:
                raise PermissionError(f"not a static file: {url}")
            path = finders.find(str(relative))
            if not path:
                raise FileNotFoundError(f"no static file {relative}")
            with open(path, "rb") as f:
                return URLFetcherResponse(url, f.read())

    return StaticFetcher()


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, base_url=STATIC_BASE, url_fetcher=static_fetcher()).write_pdf()
