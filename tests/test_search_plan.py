"""How a search is asked (search.selectors.find): the match first, then each kind's rule about the
matched objects only; the counts per kind and the order come from that one answer.

The rules themselves are the apps' own and are held to the demo accounts in
test_search_visibility; here: a resolution is asked about through its item even when only the
resolution matched, a document whose object is gone is found by no one, the counts and the
kinds' lists agree with the documents, and the application's connections run without JIT.
"""

from collections import Counter

import pytest
from django.contrib.postgres.search import SearchVectorField
from django.db import connection
from django.db.models import Value
from django.db.models.functions import Cast
from django.utils import timezone

from decisions.access import can_view
from search import selectors
from search.models import SearchDocument
from search.tokenize import vector_literal
from tests.test_search_visibility import EXPECTED, KIND_OF, build_school

Kind = SearchDocument.Kind


@pytest.fixture
def school(people):
    return build_school(people)


def kinds(docs) -> list[str]:
    return [d.kind for d in docs]


@pytest.mark.parametrize("username", sorted(EXPECTED))
def test_a_resolution_matched_alone_is_asked_about_through_its_item(school, people, username):
    """The resolution's number is in its document only (not in its item's): the rule is asked
    about the item all the same, and the resolution is found exactly by those who see the item."""
    user = people(username)
    for resolution, item in (
        (school.secret_resolution, school.secret_item),
        (school.open_resolution, school.open_item),
    ):
        q = resolution.number.split("〔")[1]  # 2026〕N号: only the resolution (and its notice) say it
        found = {(d.kind, d.object_id) for d in selectors.search(user, q=q)}
        assert ("item", item.pk) not in found  # the item did not match…
        assert (("resolution", resolution.pk) in found) == can_view(user, item)  # …its rule was asked


def test_a_document_whose_object_is_gone_is_found_by_no_one(school, people):
    """A document outliving its object (until the next reindex_changed removes it) carries no
    rights: no rule answers for an object that is not there, and a resolution that is gone has no
    item to ask about."""
    now = timezone.now()
    orphans = []
    for kind in Kind.values:
        doc = SearchDocument(kind=kind, object_id=10**9, title="孤儿文档", text="实习", source_changed_at=now)
        if connection.vendor == "postgresql":  # the vector as search.services writes it
            doc.vector = Cast(Value(vector_literal(doc.title, doc.text)), output_field=SearchVectorField())
        orphans.append(doc)
    SearchDocument.objects.bulk_create(orphans)

    for username in ("partyoffice", "discipline", "member2", "admin", "staff"):
        for full_text in (None, False):
            assert selectors.search(people(username), q="孤儿", full_text=full_text) == []
            found = selectors.search(people(username), q="实习", full_text=full_text)
            assert {(d.kind, d.object_id) for d in found} == {
                (KIND_OF[name], getattr(school, name).pk) for name in EXPECTED[username]
            }


@pytest.mark.parametrize("username", ["discipline", "partyoffice", "member2", "staff", "teacher"])
def test_the_counts_and_the_kinds_agree_with_the_documents(school, people, username):
    found = selectors.find(people(username), q="实习")
    documents = selectors.documents(found.hits)

    assert found.counts == {kind: Counter(kinds(documents))[kind] for kind in Kind.values}
    assert found.total == len(documents) == len(EXPECTED[username])
    for kind in Kind.values:
        # A kind's tab lists that kind alone, in the order of the whole list.
        assert [h.id for h in found.of_kind(kind)] == [d.pk for d in documents if d.kind == kind]
    assert [h.id for h in found.of_kind()] == [d.pk for d in documents]


def test_title_hits_come_first_across_kinds(school, people):
    """One order for every kind: the documents whose title says the word, then the others."""
    documents = selectors.search(people("partyoffice"), q="实习")
    titles = [d.title_hit for d in documents]

    assert titles == sorted(titles, reverse=True)
    assert {d.kind for d in documents if d.title_hit} >= {"item", "notice"}
    assert any(not hit for hit in titles)  # the minutes say it in their text only


def test_nothing_for_someone_signed_out_or_a_query_without_words(school, people):
    from django.contrib.auth.models import AnonymousUser

    assert selectors.find(AnonymousUser(), q="实习").total == 0
    assert selectors.find(people("secretary"), q=" ，。 ").total == 0
    assert selectors.documents([]) == []


@pytest.mark.postgres
def test_the_application_connections_run_without_jit(db):
    """JIT compiled the rules' plans for 100-310 ms a query (docs/benchmarks.md): off, by the
    connection's options, so no page pays it."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
    assert "-c jit=off" in connection.settings_dict["OPTIONS"]["options"]
