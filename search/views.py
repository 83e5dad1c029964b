from functools import cached_property

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _

from search import selectors
from search.models import SearchDocument
from search.tokenize import MAX_QUERY_CHARS, query_words

PAGE_SIZE = 20


class _CountedPaginator(Paginator):
    """The number of results is known from the per-kind counts: no second COUNT query."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self._count = count

    @cached_property
    def count(self) -> int:
        return self._count


@login_required
def search_page(request):
    """搜索： items, resolutions, minutes and notices the user may see; ?q=…&kind=…&page=…"""
    q = request.GET.get("q", "")[:MAX_QUERY_CHARS].strip()
    kind = request.GET.get("kind", "")
    if kind not in SearchDocument.Kind.values:
        kind = ""
    context = {"q": q, "kind": kind, "kinds": SearchDocument.Kind.choices, "searched": bool(query_words(q))}
    if context["searched"]:
        found = selectors.search(request.user, q=q)
        counts = selectors.kind_counts(found)
        total = sum(counts.values())
        shown = found.filter(kind=kind) if kind else found
        page = _CountedPaginator(shown, PAGE_SIZE, count=counts[kind] if kind else total).get_page(
            request.GET.get("page")
        )
        context.update(
            page=page,
            # Nothing found: the counts said so, the page of documents is not asked for.
            results=selectors.present(page.object_list, q) if page.paginator.count else [],
            counts=counts,
            total=total,
            tabs=[("", _("全部"), total)] + [(k, label, counts[k]) for k, label in SearchDocument.Kind.choices],
        )
    template = "search/search_page.html"
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "results":
        template += "#results"
    return render(request, template, context)
