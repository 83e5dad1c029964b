"""Documents made once: when minutes lock, a job stores the meeting's archive PDF, the minutes and
its resolutions in Word (meetings.services.documents) with their SHA-256; downloads serve the
stored file, rendered never again; who may download each is asked exactly as before; a document
that can still change (minutes not locked, a correction under way) is rendered per request."""

import base64
import hashlib
import threading
import time

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection, transaction

from core.models import AuditEvent, OutboxJob
from decisions.models import State
from meetings import selectors, services
from meetings.models import Minutes, Resolution, StoredDocument
from meetings.services import documents
from org.models import User
from tests.factories import all_opinions, at_state, organizer_of, running_meeting
from tests.races import waiting_on_locks
from tests.test_minutes import PRESENT, held_meeting, minutes_of, sign_all

JOB = "meetings.services.documents.store_documents"


def _count_renders(monkeypatch, *, stub_archive: bool = False) -> dict:
    """Every call of the three renderers, by name. The real renderers run, or for the archive a
    stub when `stub_archive` (a test about who gets it, not what it holds)."""
    from meetings import pdf
    from meetings.paper import gongwen

    calls = {"archive": 0, "minutes": 0, "resolution": 0}
    for module, attr, name in (
        (pdf, "archive_pdf", "archive"),
        (gongwen, "minutes_docx", "minutes"),
        (gongwen, "resolution_docx", "resolution"),
    ):
        original = (lambda *a, **k: b"%PDF-1.4 stub") if stub_archive and name == "archive" else getattr(module, attr)

        def counted(*args, _original=original, _name=name, **kwargs):
            calls[_name] += 1
            return _original(*args, **kwargs)

        monkeypatch.setattr(module, attr, counted)
    return calls


@pytest.fixture
def renders(monkeypatch):
    return _count_renders(monkeypatch)


@pytest.fixture
def stub_renders(monkeypatch):
    return _count_renders(monkeypatch, stub_archive=True)


def signed_and_sent(people):
    """A held PC meeting (a resolution, a study item noted) with its minutes out for signature."""
    meeting, entries = held_meeting(people)
    minutes = minutes_of(meeting)
    services.minutes_send(actor=people("partyoffice"), minutes_id=minutes.pk)
    return meeting, entries, minutes


def body(response) -> bytes:
    return response.getvalue()


def stored_bytes(document: StoredDocument) -> bytes:
    with default_storage.open(document.file.name, "rb") as f:
        return f.read()


# --- locking stores the documents ---------------------------------------------------------------------


def test_locking_the_minutes_enqueues_the_job_with_the_change(people, django_capture_on_commit_callbacks):
    meeting, _, minutes = signed_and_sent(people)
    sign_all(minutes, PRESENT[:-1])
    assert not OutboxJob.objects.filter(func=JOB).exists()  # not before the minutes lock

    with django_capture_on_commit_callbacks() as callbacks:
        sign_all(minutes, PRESENT[-1:])

    (job,) = OutboxJob.objects.filter(func=JOB)
    assert job.args == [minutes.pk]
    assert callbacks  # handed over after the commit
    assert not StoredDocument.objects.exists()  # the signature's request renders nothing


def test_the_job_stores_the_archive_the_minutes_and_the_resolution_with_their_sha256(
    people, settings, django_capture_on_commit_callbacks, renders
):
    settings.REDIS_URL = ""  # the job runs in this process after the commit
    meeting, (project, _), minutes = signed_and_sent(people)
    resolution = Resolution.objects.get(entry=project)

    with django_capture_on_commit_callbacks(execute=True):
        sign_all(minutes)

    assert OutboxJob.objects.get(func=JOB).sent_at is not None
    docs = {d.kind: d for d in StoredDocument.objects.filter(meeting=meeting)}
    assert set(docs) == {"archive", "minutes", "resolution"}
    assert renders == {"archive": 1, "minutes": 1, "resolution": 1}
    assert docs["archive"].minutes_id == minutes.pk and docs["minutes"].minutes_id == minutes.pk
    assert docs["resolution"].resolution_id == resolution.pk
    for doc in docs.values():
        content = stored_bytes(doc)
        assert doc.made_by == "job"
        assert hashlib.sha256(content).hexdigest() == doc.sha256 and len(content) == doc.size
        assert doc.file.name.startswith(f"documents/meetings/{meeting.pk}/")
    assert stored_bytes(docs["archive"]).startswith(b"%PDF")
    # The record says which bytes were made: one audit event per document, with its hash.
    events = AuditEvent.objects.filter(verb="meeting.document_store", target_type="meetings.meeting")
    assert {(e.target_id, e.data["kind"], e.data["sha256"]) for e in events} == {
        (meeting.pk, d.kind, d.sha256) for d in docs.values()
    }

    # Run again (a retried or replayed job): nothing is made twice.
    assert services.store_documents(minutes.pk) == {"archive": 0, "minutes": 0, "resolution": 0}
    assert StoredDocument.objects.count() == 3 and renders["archive"] == 1


def test_downloads_serve_the_stored_file_and_never_render(
    people, client, settings, django_capture_on_commit_callbacks, renders
):
    settings.REDIS_URL = ""
    meeting, (project, _), minutes = signed_and_sent(people)
    resolution = Resolution.objects.get(entry=project)
    with django_capture_on_commit_callbacks(execute=True):
        sign_all(minutes)
    made = dict(renders)
    client.force_login(people("member1"))

    for url, kind, content_type, name in (
        (f"/meetings/{meeting.pk}/archive.pdf", "archive", "application/pdf", f"meeting-{meeting.pk}-archive.pdf"),
        (f"/meetings/minutes/{minutes.pk}/minutes.docx", "minutes", documents.DOCX, f"minutes-{minutes.pk}.docx"),
        (
            f"/meetings/resolutions/{resolution.pk}/resolution.docx",
            "resolution",
            documents.DOCX,
            f"resolution-{resolution.pk}.docx",
        ),
    ):
        doc = StoredDocument.objects.get(kind=kind)
        for _ in range(2):
            response = client.get(url)
            assert response.status_code == 200 and response.streaming, url
            assert response["Content-Type"] == content_type
            assert response["Content-Disposition"] == f'attachment; filename="{name}"'
            assert response["ETag"] == f'"{doc.sha256}"'
            assert response["Digest"] == "sha-256=" + base64.b64encode(bytes.fromhex(doc.sha256)).decode()
            content = body(response)
            assert content == stored_bytes(doc)
            assert hashlib.sha256(content).hexdigest() == doc.sha256
    assert renders == made  # served six times, rendered no more


def test_a_download_before_the_job_makes_the_document_once(people, client, renders):
    meeting, _, minutes = signed_and_sent(people)
    sign_all(minutes)  # locked; the job has not run (its callback was never executed)
    client.force_login(people("member1"))

    first = body(client.get(f"/meetings/{meeting.pk}/archive.pdf"))
    second = body(client.get(f"/meetings/{meeting.pk}/archive.pdf"))

    assert renders["archive"] == 1
    assert first == second
    (doc,) = StoredDocument.objects.filter(kind="archive")
    assert doc.made_by == "download" and doc.sha256 == hashlib.sha256(first).hexdigest()
    # The job, when it comes, finds the archive made and makes the rest.
    assert services.store_documents(minutes.pk) == {"archive": 0, "minutes": 1, "resolution": 1}
    assert renders["archive"] == 1


def test_the_pages_show_the_stored_hash(people, client, settings, django_capture_on_commit_callbacks):
    settings.REDIS_URL = ""
    meeting, _, minutes = signed_and_sent(people)
    with django_capture_on_commit_callbacks(execute=True):
        sign_all(minutes)
    archive = StoredDocument.objects.get(kind="archive")
    word = StoredDocument.objects.get(kind="minutes")
    client.force_login(people("member1"))

    meeting_page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    minutes_page = client.get(f"/meetings/minutes/{minutes.pk}/").content.decode()

    assert 'data-testid="archive-sha256"' in meeting_page and archive.sha256 in meeting_page
    assert 'data-testid="minutes-docx-sha256"' in minutes_page and word.sha256 in minutes_page


# --- what can still change is rendered per request ------------------------------------------------------


def test_documents_of_minutes_not_locked_are_rendered_per_request(people, client, renders):
    meeting, (project, _), minutes = signed_and_sent(people)
    sign_all(minutes, PRESENT[:1])  # still signing
    client.force_login(people("member1"))

    for _ in range(2):
        response = client.get(f"/meetings/{meeting.pk}/archive.pdf")
        assert response.status_code == 200 and not response.streaming
        assert client.get(f"/meetings/minutes/{minutes.pk}/minutes.docx").status_code == 200

    assert renders["archive"] == 2 and renders["minutes"] == 2
    assert not StoredDocument.objects.exists()
    assert "archive-sha256" not in client.get(f"/meetings/{meeting.pk}/").content.decode()


def test_a_correction_under_way_reopens_the_archive_and_its_locking_makes_a_new_one(
    people, client, settings, django_capture_on_commit_callbacks, renders
):
    settings.REDIS_URL = ""
    meeting, _, original = signed_and_sent(people)
    with django_capture_on_commit_callbacks(execute=True):
        sign_all(original)
    first = StoredDocument.objects.get(kind="archive")
    partyoffice = people("partyoffice")
    amendment = services.minutes_amend(actor=partyoffice, minutes_id=original.pk, text="第一项“三期”应为“两期”。")
    client.force_login(people("member1"))

    # Under way: the archive shows the draft correction, rendered per request, nothing stored.
    response = client.get(f"/meetings/{meeting.pk}/archive.pdf")
    assert not response.streaming and body(response) != stored_bytes(first)
    assert renders["archive"] == 2
    # The locked minutes' own Word document is settled: still served from storage.
    assert client.get(f"/meetings/minutes/{original.pk}/minutes.docx").streaming

    services.minutes_send(actor=partyoffice, minutes_id=amendment.pk)
    with django_capture_on_commit_callbacks(execute=True):
        sign_all(Minutes.objects.get(pk=amendment.pk))

    second = StoredDocument.objects.get(kind="archive", minutes=amendment)
    assert second.pk != first.pk and second.sha256 != first.sha256
    assert StoredDocument.objects.filter(pk=first.pk).exists()  # the one served before stays on record
    response = client.get(f"/meetings/{meeting.pk}/archive.pdf")
    assert response["ETag"] == f'"{second.sha256}"' and body(response) == stored_bytes(second)
    assert StoredDocument.objects.filter(kind="minutes").count() == 2  # the correction's own Word


# --- who may download: the same rule, stored or not -----------------------------------------------------


def secret_meeting(people):
    """A PC meeting with a confidential item and an open one, both passed; minutes out for signature."""
    staff, member1 = people("staff"), people("member1")
    secret = at_state(State.READY, submitter=staff, consultees=[member1], confidential=True, title="关于人事调整的请示")
    public = at_state(State.READY, submitter=staff, consultees=[member1], title="关于运动会安排的请示")
    meeting, entries = running_meeting([secret, public])
    organizer = organizer_of("PC")
    for entry in entries:
        all_opinions(entry, meeting)
        services.entry_decide(actor=organizer, entry_id=entry.pk, outcome="passed")
    services.meeting_adjourn(actor=organizer, meeting_id=meeting.pk)
    minutes = minutes_of(meeting)
    services.minutes_send(actor=organizer, minutes_id=minutes.pk)
    return meeting, entries, minutes


def _answers(client_for, urls) -> dict:
    out = {}
    for username, client in client_for.items():
        for url in urls:
            response = client.get(url)
            out[(username, url)] = (response.status_code, response.streaming)
            if response.status_code != 200:
                text = response.content.decode()
                assert "%PDF" not in text and not response.has_header("ETag"), (username, url)
    return out


def test_who_may_download_is_unchanged_once_the_documents_are_stored(
    people, settings, django_capture_on_commit_callbacks, stub_renders
):
    from django.test import Client

    settings.REDIS_URL = ""
    meeting, (secret_entry, public_entry), minutes = secret_meeting(people)
    secret_res = Resolution.objects.get(entry=secret_entry)
    public_res = Resolution.objects.get(entry=public_entry)
    urls = [
        f"/meetings/{meeting.pk}/archive.pdf",
        f"/meetings/minutes/{minutes.pk}/minutes.docx",
        f"/meetings/resolutions/{secret_res.pk}/resolution.docx",
        f"/meetings/resolutions/{public_res.pk}/resolution.docx",
    ]
    clients = {}
    for user in User.objects.filter(is_active=True).order_by("username"):
        clients[user.username] = Client()
        clients[user.username].force_login(user)
    signers = User.objects.filter(pk__in=services.signers(minutes)).order_by("pk")

    # Signing, not locked: every document rendered per request.
    sign_all(minutes, [u.username for u in signers][:-1])
    before = _answers(clients, urls)
    with django_capture_on_commit_callbacks(execute=True):
        sign_all(minutes, [u.username for u in signers][-1:])
    assert StoredDocument.objects.filter(meeting=meeting).count() == 4
    made = dict(stub_renders)
    after = _answers(clients, urls)

    status = {key: code for key, (code, _streaming) in before.items()}
    assert status == {key: code for key, (code, _streaming) in after.items()}
    # The rule, as it was: the meeting's attendees have everything; a reader of the meeting who did
    # not attend is refused its archive and minutes (403, with the reason) and does not find the
    # confidential item's resolution (404), but has the open item's; staff do not see the meeting.
    assert status[("member1", urls[0])] == 200 and status[("member1", urls[2])] == 200
    assert [status[("vice", u)] for u in urls] == [403, 403, 404, 200]
    assert {status[("staff", u)] for u in urls} == {404}
    # Stored or not, what is refused is refused before any file: the stored files are served (and
    # only they) to the same people, and nothing more was rendered.
    assert all(after[key][1] == (code == 200) for key, code in status.items())
    assert stub_renders == made
    # Before locking the archive and the minutes were rendered per request (a resolution is settled
    # once its meeting has ended: its first download stored it).
    assert not any(streaming for (_user, url), (_code, streaming) in before.items() if url in urls[:2])


def test_the_page_shows_the_hash_only_to_those_who_may_have_the_archive(
    people, client, settings, django_capture_on_commit_callbacks
):
    settings.REDIS_URL = ""
    meeting, _, minutes = secret_meeting(people)
    with django_capture_on_commit_callbacks(execute=True):
        sign_all(minutes, [u.username for u in User.objects.filter(pk__in=services.signers(minutes))])
    archive = StoredDocument.objects.get(kind="archive", meeting=meeting)

    client.force_login(people("vice"))
    page = client.get(f"/meetings/{meeting.pk}/")
    assert page.status_code == 200 and archive.sha256 not in page.content.decode()
    client.force_login(people("member1"))
    assert archive.sha256 in client.get(f"/meetings/{meeting.pk}/").content.decode()


# --- the records and the command -------------------------------------------------------------------------


def test_a_stored_document_is_written_once(people, settings, django_capture_on_commit_callbacks):
    settings.REDIS_URL = ""
    _, _, minutes = signed_and_sent(people)
    with django_capture_on_commit_callbacks(execute=True):
        sign_all(minutes)
    doc = StoredDocument.objects.first()

    doc.sha256 = "0" * 64
    with pytest.raises(TypeError):
        doc.save()
    with pytest.raises(TypeError):
        doc.delete()
    with pytest.raises(TypeError):
        StoredDocument.objects.filter(pk=doc.pk).update(sha256="0" * 64)


def test_the_command_makes_what_is_missing_once(people, renders):
    meeting, _, minutes = signed_and_sent(people)
    sign_all(minutes)  # the job never ran (as after an import)

    out = _command("--dry-run")
    assert "missing: archive 1, minutes 1, resolution 1" in out and not StoredDocument.objects.exists()
    assert renders == {"archive": 0, "minutes": 0, "resolution": 0}

    assert "made: archive 1, minutes 1, resolution 1" in _command()
    assert set(StoredDocument.objects.values_list("made_by", flat=True)) == {"command"}
    assert "made: archive 0, minutes 0, resolution 0" in _command()
    assert renders == {"archive": 1, "minutes": 1, "resolution": 1}

    # A file lost from storage: its row stays on record; a new one is made and served.
    lost = StoredDocument.objects.get(kind="minutes")
    default_storage.delete(lost.file.name)
    assert "missing: archive 0, minutes 1, resolution 0" in _command("--dry-run")
    assert "made: archive 0, minutes 1, resolution 0" in _command("--meeting", str(meeting.pk))
    assert StoredDocument.objects.filter(kind="minutes").count() == 2
    assert documents.stored("minutes", minutes_id=minutes.pk).pk != lost.pk


def _command(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("build_documents", *args, stdout=out)
    return out.getvalue()


# --- PostgreSQL: two first downloads at the same moment render once --------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_first_downloads_at_once_render_the_archive_once(people, monkeypatch):
    meeting, _, minutes = signed_and_sent(people)
    sign_all(minutes)
    calls = []
    monkeypatch.setattr("meetings.pdf.archive_pdf", lambda meeting: calls.append(1) or b"%PDF-1.4 once")
    loaded = selectors.meeting_for_paper(people("member1"), meeting.pk)
    results = [None, None]

    def download(i):
        try:
            results[i] = documents.archive_document(loaded)
        finally:
            connection.close()

    threads = [threading.Thread(target=download, args=(i,)) for i in range(2)]
    with transaction.atomic():
        documents._lock("archive", {"minutes_id": minutes.pk})  # both find nothing, then queue here
        for t in threads:
            t.start()
        deadline = time.monotonic() + 10
        while waiting_on_locks() < 2:
            assert time.monotonic() < deadline, "the downloads never queued on the document's lock"
            time.sleep(0.01)
    for t in threads:
        t.join(timeout=30)

    assert len(calls) == 1
    assert results[0].pk == results[1].pk
    assert StoredDocument.objects.filter(kind="archive").count() == 1
