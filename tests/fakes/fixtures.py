"""The local platform stand-ins, switched on for one test: each test module wraps these in its
own fixtures (a fixture imported from another module would be shadowed by its parameter)."""

from django.core.cache import cache

from tests.fakes.platforms import FakeCAS, FakeDingTalk, FakeWeCom

# Tokens are kept in the cache between requests (core.providers.base): none from another test.
TOKEN_KEYS = ["dingtalk:token:ding-app-key", "wecom:token:wwcorp:1000002"]


def fake_dingtalk(httpserver, settings) -> FakeDingTalk:
    cache.delete_many(TOKEN_KEYS)
    fake = FakeDingTalk(httpserver)
    fake.settings(settings)
    return fake


def fake_wecom(httpserver, settings) -> FakeWeCom:
    cache.delete_many(TOKEN_KEYS)
    fake = FakeWeCom(httpserver)
    fake.settings(settings)
    return fake


def fake_cas(httpserver, settings) -> FakeCAS:
    fake = FakeCAS(httpserver)
    fake.settings(settings)
    return fake
