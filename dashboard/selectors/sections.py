"""The 工作台's lists: a row (Entry), a list (Section), and how the first rows of one list, or of
several lists drawn from one queryset, are read with the length of the whole list in one query."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber

LIMIT = 5


@dataclass(frozen=True)
class Entry:
    """One row: a tap on it opens the page where the action is."""

    title: str
    url: str
    detail: str = ""
    when: dt.datetime | dt.date | None = None
    flag: str = ""  # a short warning (逾期 3 天, 退回补充), shown as a badge


@dataclass
class Section:
    key: str
    title: str
    action: str  # what the person does there: 审核, 研判, 会签…
    empty: str
    more_url: str
    entries: list[Entry] = field(default_factory=list)
    total: int = 0
    highlight: bool = True  # a count that asks for attention (not so for meetings and my items)

    @property
    def more(self) -> int:
        return self.total - len(self.entries)


def first_rows(qs: QuerySet, limit: int = LIMIT) -> tuple[list, int]:
    """The first `limit` rows and the length of the whole list, in one query."""
    rows = list(qs.annotate(list_total=Window(Count("pk")))[:limit])
    return rows, (rows[0].list_total if rows else 0)


def make_section(key, title, action, empty, more_url, qs, entry, *, highlight: bool = True, first=None) -> Section:
    rows, total = first if first is not None else first_rows(qs)
    return Section(key, str(title), str(action), str(empty), more_url, [entry(r) for r in rows], total, highlight)


def _ordering(fields) -> list:
    return [F(f[1:]).desc() if f.startswith("-") else F(f).asc() for f in fields]


def firsts_together(base: QuerySet, lists: dict[str, tuple[Q, tuple]], limit: int = LIMIT) -> dict:
    """first_rows of several lists drawn from one queryset, in ONE query.

    Each list is a condition on `base` and an ordering. The rows are those on any list; each row
    is marked with the lists it is on, numbered and counted within each list in that list's order;
    rows numbered past `limit` in every list stay in the database. A list's rows come back in its
    order with its total, as first_rows would give them."""
    if not lists:
        return {}
    keys = list(lists)
    marks, windows, anywhere, near = {}, {}, Q(), Q()
    for n, key in enumerate(keys):
        condition, order = lists[key]
        anywhere |= condition
        marks[f"on_{n}"] = ExpressionWrapper(condition, output_field=BooleanField())
        windows[f"rank_{n}"] = Window(RowNumber(), partition_by=[F(f"on_{n}")], order_by=_ordering(order))
        windows[f"total_{n}"] = Window(Count("pk"), partition_by=[F(f"on_{n}")])
        near |= Q(**{f"rank_{n}__lte": limit})
    rows = list(base.filter(anywhere).annotate(**marks).annotate(**windows).filter(near).order_by())
    result = {}
    for n, key in enumerate(keys):
        mine = sorted((r for r in rows if getattr(r, f"on_{n}")), key=lambda r, n=n: getattr(r, f"rank_{n}"))
        mine = [r for r in mine if getattr(r, f"rank_{n}") <= limit]
        result[key] = (mine, getattr(mine[0], f"total_{n}") if mine else 0)
    return result
