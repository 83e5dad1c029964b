"""The guard in tests/conftest.py: a template that would query fails the test that renders it."""

import pytest
from django.template import engines
from django.test import RequestFactory
from zen_queries import QueriesDisabledError

from org.models import User


def test_a_template_that_queries_is_caught(school):
    template = engines["django"].from_string("{% for u in people %}{{ u }}{% endfor %}")
    with pytest.raises(QueriesDisabledError):
        template.render({"people": User.objects.all()})


def test_a_related_object_not_loaded_is_caught_too(school):
    staff = User.objects.get(username="staff")
    template = engines["django"].from_string("{{ person.department.name }}")
    with pytest.raises(QueriesDisabledError):
        template.render({"person": staff})


def test_context_processors_may_query_before_the_template_renders(school):
    """The navigation's one query runs in a context processor, before the guard applies."""
    request = RequestFactory().get("/")
    request.user = User.objects.get(username="staff")
    template = engines["django"].from_string("{{ unread_notifications }}|{{ people|length }}")
    assert template.render({"people": list(User.objects.all())}, request) == f"0|{User.objects.count()}"
