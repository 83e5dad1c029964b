from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _

from search import selectors
from search.models import SearchDocument
from search.tokenize import MAX_QUERY_CHARS, query_words

PAGE_SIZE = 20


@login_required
def search_page(request):
    """搜索： items, resolutions, minutes and notices the user may see; ?q=…&kind=…&page=…"""
    q = request.GET.get("q", "")[:MAX_QUERY_CHARS].strip()
    kind = request.GET.get("kind", "")
    if kind not in SearchDocument.Kind.values:
        kind = ""
    context = {"q": q, "kind": kind, "kinds": SearchDocument.Kind.choices, "searched": bool(query_words(q))}
    if context["searched"]:
        # The hits (ids and order) are known at once; only the page's documents are read.
        found = selectors.find(request.user, q=q)
        counts = found.counts
        page = Paginator(found.of_kind(kind), PAGE_SIZE).get_page(request.GET.get("page"))
        context.update(
            page=page,
            results=selectors.present(selectors.documents(page.object_list), q),
            counts=counts,
            total=found.total,
            tabs=[("", _("全部"), found.total)] + [(k, label, counts[k]) for k, label in SearchDocument.Kind.choices],
        )
    template = "search/search_page.html"
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "results":
        template += "#results"
    return render(request, template, context)
