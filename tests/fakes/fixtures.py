"""Fixtures for the local platform stand-ins: import them into a test module by name."""

import pytest
from django.core.cache import cache

from tests.fakes.platforms import FakeCAS, FakeDingTalk, FakeWeCom


@pytest.fixture
def _fresh_tokens():
    """Tokens are kept in the cache between requests (core.providers.base): none from another test."""
    keys = ["dingtalk:token:ding-app-key", "wecom:token:wwcorp:1000002"]
    cache.delete_many(keys)
    yield
    cache.delete_many(keys)


@pytest.fixture
def dingtalk(httpserver, settings, _fresh_tokens):
    fake = FakeDingTalk(httpserver)
    fake.settings(settings)
    return fake


@pytest.fixture
def wecom(httpserver, settings, _fresh_tokens):
    fake = FakeWeCom(httpserver)
    fake.settings(settings)
    return fake


@pytest.fixture
def cas(httpserver, settings):
    fake = FakeCAS(httpserver)
    fake.settings(settings)
    return fake
