"""What a figure's list is made of (dashboard.selectors.drill): its rows, how they are shown, and
the parameters read from the link, refused when they name no figure."""

from dataclasses import dataclass

from django.db.models import QuerySet


class UnknownFigure(ValueError):
    """A kind or parameter that names no figure."""


@dataclass(frozen=True)
class Row:
    title: str
    url: str  # "" where the viewer may not open it
    detail: str
    when: object = None


@dataclass
class Drill:
    title: str
    rows: QuerySet | list  # the counted rows, ordered; shown page by page through `present`
    present: callable

    def count(self) -> int:
        return len(self.rows) if isinstance(self.rows, list) else self.rows.count()


def choice(params, name: str, choices) -> str | None:
    value = params.get(name) or None
    if value is not None and value not in dict(choices):
        raise UnknownFigure(value)
    return value


def number(params, name: str) -> int | None:
    value = params.get(name) or None
    if value is not None and not str(value).isdigit():
        raise UnknownFigure(value)
    return int(value) if value is not None else None
