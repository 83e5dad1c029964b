"""Indexing: one document per object, upserted; only what is searchable; reindex_changed finds
what changed (by the source rows' own timestamps) and is idempotent."""

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from core.jobs import enqueue
from decisions import services as item_services
from decisions.models import State
from notices import services as notice_services
from search import jobs, selectors, services
from search.models import SearchDocument
from tests.factories import at_state, draft
from tests.test_search_visibility import adjourn, lock_minutes, sign


def doc(kind: str, obj) -> SearchDocument | None:
    return SearchDocument.objects.filter(kind=kind, object_id=obj.pk).first()


def upper_notice(people, *, publish: bool = True, title: str = "关于转发上级实习管理文件的通报"):
    office = people("partyoffice")
    notice = notice_services.notice_create_upper_document(
        actor=office, title=title, body="请认真学习文件精神。", everyone=True
    )
    if publish:
        notice_services.notice_publish(actor=office, notice_id=notice.pk)
    notice.refresh_from_db()
    return notice


def edit(item, **changes):
    fields = {
        name: getattr(item, name)
        for name in ("title", "category", "background", "proposal", "amount", "major_kind", "requested_body")
    }
    fields["confidential"] = item.confidential
    fields.update(changes)
    return item_services.item_update(actor=item.submitter, item_id=item.pk, version=item.version, **fields)


def test_it_indexes_an_item_with_its_title_and_text(people):
    item = draft(people("staff"), title="关于修订学生顶岗实习管理办法的请示", background="背景一", proposal="方案二")

    assert services.index_object("item", item.pk) is True

    d = doc("item", item)
    assert (d.title, d.text, d.confidential, d.link_id) == (item.title, "背景一\n\n方案二", False, None)
    assert d.source_changed_at == item.updated_at
    assert (d.vector is not None) == (connection.vendor == "postgresql")


def test_indexing_twice_keeps_one_document(people):
    item = draft(people("staff"))

    services.index_object("item", item.pk)
    services.index_object("item", item.pk)

    assert SearchDocument.objects.filter(kind="item", object_id=item.pk).count() == 1


def test_a_resolution_links_to_its_item(people):
    item = at_state(State.RESOLVED, submitter=people("staff"), title="关于购置PLC实训设备的请示")
    resolution = item.resolutions.get()

    services.index_object("resolution", resolution.pk)

    d = doc("resolution", resolution)
    assert d.title == f"{resolution.number} {item.title}"
    assert d.link_id == item.pk
    assert selectors.url_of(d) == f"/items/{item.pk}/"


def test_a_draft_notice_is_not_searchable_until_published(people):
    notice = upper_notice(people, publish=False)

    assert services.index_object("notice", notice.pk) is False
    assert doc("notice", notice) is None

    notice_services.notice_publish(actor=people("partyoffice"), notice_id=notice.pk)

    assert services.index_object("notice", notice.pk) is True
    assert doc("notice", notice).source_changed_at is not None


def test_minutes_are_searchable_once_locked(people):
    item = at_state(State.RESOLVED, submitter=people("staff"))
    minutes = adjourn(item)
    assert services.index_object("minutes", minutes.pk) is False  # a draft

    minutes = sign(minutes)

    assert services.index_object("minutes", minutes.pk) is True
    d = doc("minutes", minutes)
    assert d.title == f"{minutes.number} {minutes.meeting.title}"
    assert d.title.startswith("党委会纪要〔")
    assert (d.link_id, d.source_changed_at, d.confidential) == (minutes.meeting_id, minutes.locked_at, False)


def test_an_object_that_is_gone_loses_its_document(people):
    SearchDocument.objects.create(kind="item", object_id=999999, title="旧", text="", source_changed_at=timezone.now())

    assert services.index_object("item", 999999) is False
    assert not SearchDocument.objects.filter(object_id=999999).exists()


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="unknown search document kind"):
        services.index_object("task", 1)


def test_the_enqueued_job_indexes_after_the_commit(people, settings, django_capture_on_commit_callbacks):
    """How the apps below start it: by dotted path, with (kind, id)."""
    settings.REDIS_URL = ""  # the on-commit job runs here, in this process
    item = draft(people("staff"), title="关于实习经费的请示")

    with django_capture_on_commit_callbacks(execute=True):
        enqueue("search.services.index_object", "item", item.pk)

    assert doc("item", item).title == "关于实习经费的请示"


# --- reindex_changed ------------------------------------------------------------------------------


def test_reindex_changed_indexes_what_is_new_and_then_nothing(people):
    item = at_state(State.RESOLVED, submitter=people("staff"))
    lock_minutes(item)
    upper_notice(people)
    upper_notice(people, publish=False, title="草稿通报")

    first = services.reindex_changed()
    second = services.reindex_changed()

    assert first.indexed == {"item": 1, "resolution": 1, "minutes": 1, "notice": 1}
    assert second.indexed == {"item": 0, "resolution": 0, "minutes": 0, "notice": 0}
    assert SearchDocument.objects.count() == 4


def test_reindex_changed_picks_up_an_edited_item_only(people):
    staff = people("staff")
    edited, untouched = draft(staff, title="关于实习的请示"), draft(staff, title="关于实训的请示")
    services.reindex_changed()
    before = doc("item", untouched).updated_at

    with time_machine.travel(timezone.now() + dt.timedelta(minutes=5)):
        edit(edited, title="关于顶岗实习补贴的请示")
        result = services.reindex_changed()

    assert result.indexed["item"] == 1
    assert doc("item", edited).title == "关于顶岗实习补贴的请示"
    assert doc("item", untouched).updated_at == before
    assert [d.object_id for d in selectors.search(staff, q="补贴")] == [edited.pk]
    assert services.reindex_changed().indexed["item"] == 0


def test_a_state_change_moves_updated_at_and_is_reindexed(people):
    """Every step saves updated_at; the document follows (its confidential flag, say, stays true)."""
    staff = people("staff")
    item = draft(staff)
    services.reindex_changed()

    with time_machine.travel(timezone.now() + dt.timedelta(minutes=1)):
        item_services.item_submit(actor=staff, item_id=item.pk)

    assert services.reindex_changed().indexed["item"] == 1


def test_reindex_all_rebuilds_and_removes_what_is_gone(people):
    item = draft(people("staff"))
    SearchDocument.objects.create(
        kind="notice", object_id=424242, title="旧", text="", source_changed_at=timezone.now()
    )

    result = services.reindex_all()

    assert result.indexed["item"] == 1
    assert result.removed["notice"] == 1
    assert list(SearchDocument.objects.values_list("kind", "object_id")) == [("item", item.pk)]


def test_the_job_and_the_command(people):
    draft(people("staff"))

    assert jobs.reindex_changed() == 1
    assert jobs.reindex_changed() == 0

    out = StringIO()
    call_command("search_reindex", stdout=out)
    assert "item: 1 indexed, 0 removed" in out.getvalue()
    assert "search index rebuilt: 1 documents" in out.getvalue()


def test_batches_of_many_rows(people, monkeypatch):
    monkeypatch.setattr(services, "BATCH", 3)
    staff = people("staff")
    for n in range(7):
        draft(staff, title=f"关于第{n}项实习工作的请示")

    assert services.reindex_changed().indexed["item"] == 7
    assert SearchDocument.objects.filter(kind="item").count() == 7
