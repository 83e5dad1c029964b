"""Pagination that hands templates evaluated rows: a template never runs a query."""

from django.core.paginator import Page, Paginator


def evaluated(page: Page) -> Page:
    """The page with its rows fetched now, in the view."""
    page.object_list = list(page.object_list)
    return page


def get_page(rows, per_page: int, number, *, paginator_class=Paginator, **kwargs) -> Page:
    """Paginator(rows, per_page).get_page(number), with the page's rows already fetched."""
    return evaluated(paginator_class(rows, per_page, **kwargs).get_page(number))
