"""数字可点开: a count on a report, shown as the number linked to the list of what it counts.

The lists are the figure lists of 学校数据 (`dashboard.selectors.drill`, at /dashboard/leaders/
list/<kind>/), which count the same rows with the same filters. A report's page renders its counts
as `Figure`s; the same report as a PDF gives them no `url`, and they are plain numbers.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString


def figure_url(kind: str, **params) -> str:
    """The list behind a figure: `kind` and its filters (empty ones left out)."""
    query = {k: v for k, v in params.items() if v not in (None, "")}
    return reverse("dashboard:figure_list", args=[kind]) + "?" + urlencode(query)


@dataclass(frozen=True)
class Figure:
    value: int
    url: str = ""

    def __html__(self) -> SafeString:
        if not self.url:
            return SafeString(str(self.value))
        return format_html('<a href="{}" data-testid="figure-link">{}</a>', self.url, self.value)

    def __str__(self) -> str:
        # A template (or {% blocktranslate %}) renders the number with its link.
        return self.__html__()
