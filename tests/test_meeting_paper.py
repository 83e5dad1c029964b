"""Meetings on paper: the printable agenda and the meeting pack (PDF, materials merged, page numbers,
a table of contents, confidential items marked for attendees and left out for everyone else), the
minutes and resolutions as Word documents in the 公文 layout, and the meeting's actual date on the
record (the day it was held, not the day it was planned for)."""

import io
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.utils import timezone
from docx import Document
from pypdf import PdfReader

from core.models import AuditEvent
from core.pdf import render_pdf
from decisions import services as item_services
from decisions.models import State
from meetings import services
from meetings.models import Resolution
from tests.factories import at_state, meeting_for, organizer_of
from tests.test_minutes import SENTENCE, locked_minutes

ATTACHMENT_LINE = "实训基地建设可行性研究报告正文"


def attachment_pdf(pages: int) -> bytes:
    body = "".join(
        f'<p style="break-before: page">{ATTACHMENT_LINE}第{n}页</p>' if n > 1 else f"<p>{ATTACHMENT_LINE}第1页</p>"
        for n in range(1, pages + 1)
    )
    fonts = render_to_string("pdf/_fonts.html")
    return render_pdf(f"<html><head><style>{fonts}</style></head><body>{body}</body></html>")


def word_file(text: str) -> bytes:
    doc, out = Document(), io.BytesIO()
    doc.add_paragraph(text)
    doc.save(out)
    return out.getvalue()


def pages_text(content: bytes) -> list[str]:
    return [re.sub(r"\s+", "", page.extract_text() or "") for page in PdfReader(io.BytesIO(content)).pages]


def planned_meeting(people, *, confidential: bool = False):
    """A PC meeting three days ahead with two items: a project with a two-page PDF report and a
    Word file, and a study item (confidential if asked)."""
    staff = people("staff")
    project = at_state(State.READY, submitter=staff, consultees=[people("member1")], title="关于建设实训基地的请示")
    study = at_state(
        State.READY, submitter=staff, category="study", title="学习人事安排工作规定", confidential=confidential
    )
    for name, content, kind in (
        ("可行性研究报告.pdf", attachment_pdf(2), "application/pdf"),
        ("预算明细.docx", word_file("预算明细"), "application/octet-stream"),
    ):
        item_services.attachment_add(
            actor=staff, item_id=project.pk, upload=SimpleUploadedFile(name, content, content_type=kind)
        )
    item_services.attachment_add(
        actor=staff,
        item_id=study.pk,
        upload=SimpleUploadedFile("学习材料.pdf", attachment_pdf(1), content_type="application/pdf"),
    )
    meeting = meeting_for("PC")
    organizer = organizer_of("PC")
    for item in (project, study):
        services.agenda_add(actor=organizer, meeting_id=meeting.pk, item_id=item.pk)
    return meeting


def test_the_pack_has_a_cover_a_table_of_contents_and_the_pdf_materials_merged_with_page_numbers(people, client):
    meeting = planned_meeting(people)
    client.force_login(people("partyoffice"))  # runs the meeting: sees the materials as they come in

    response = client.get(f"/meetings/{meeting.pk}/pack.pdf")

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pages = pages_text(response.content)
    # cover, agenda, item 1 + its two report pages, item 2 + its one page
    assert len(pages) == 7
    assert meeting.title in pages[0] and "会议材料汇编" in pages[0]
    assert "会议议程" in pages[1]
    # The table of contents gives each item's page: item 1 on page 3, item 2 after the report, page 6.
    assert re.search(r"1．关于建设实训基地的请示.*?3", pages[1])
    assert re.search(r"2．学习人事安排工作规定.*?6", pages[1])
    assert "背景与依据" in pages[2] and "预算明细.docx" in pages[2] and "非PDF文件" in pages[2]
    assert f"{ATTACHMENT_LINE}第1页" in pages[3] and f"{ATTACHMENT_LINE}第2页" in pages[4]
    assert f"{ATTACHMENT_LINE}第1页" in pages[6]
    for number, text in enumerate(pages[1:], start=2):  # the cover carries no number
        assert f"第{number}页/共7页" in text, number


def test_a_confidential_item_is_marked_for_attendees_and_left_out_for_others(people, client):
    meeting = planned_meeting(people, confidential=True)
    services.meeting_publish(actor=organizer_of("PC"), meeting_id=meeting.pk)

    client.force_login(people("partyoffice"))
    attendee = "".join(pages_text(client.get(f"/meetings/{meeting.pk}/pack.pdf").content))
    assert "学习人事安排工作规定（涉密）" in attendee
    assert "涉密·仅限参会人员" in attendee
    assert "内含涉密议题" in attendee

    # A leader who does not attend the Party committee sees the meeting, but not the secret item.
    vice = people("vice")
    client.force_login(vice)
    with_timely_materials = client.get(f"/meetings/{meeting.pk}/agenda.pdf")
    assert with_timely_materials.status_code == 200
    outsider = "".join(pages_text(with_timely_materials.content))
    assert "学习人事安排工作规定" not in outsider
    assert "2．（涉密议题，材料仅限参会人员）" in outsider
    assert "关于建设实训基地的请示" in outsider
    assert not AuditEvent.objects.filter(actor=vice, verb="item.view").exists()
    assert AuditEvent.objects.filter(actor=people("partyoffice"), verb="item.view").count() == 1


def test_the_materials_open_at_the_deadline_the_agenda_at_once(people, client):
    meeting = planned_meeting(people)  # three days ahead, materials two days before: tomorrow
    client.force_login(people("member1"))

    refused = client.get(f"/meetings/{meeting.pk}/pack.pdf")
    assert refused.status_code == 409
    assert "会议材料于" in refused.content.decode()
    assert client.get(f"/meetings/{meeting.pk}/agenda.pdf").status_code == 200

    meeting.starts_at = timezone.now() + timezone.timedelta(days=1)  # inside the lead time now
    meeting.save(update_fields=["starts_at"])
    assert client.get(f"/meetings/{meeting.pk}/pack.pdf").status_code == 200

    client.force_login(people("staff"))  # attends no PC meeting
    assert client.get(f"/meetings/{meeting.pk}/pack.pdf").status_code == 404


def test_a_meeting_opened_before_its_materials_deadline_offers_its_pack_to_the_members(people, client):
    # Held earlier than planned: once it has begun the pack is open to those present, and the
    # meeting page links to it for them as it does for the Party office.
    meeting = planned_meeting(people)  # three days ahead, materials two days before: tomorrow
    organizer = organizer_of("PC")
    services.meeting_publish(actor=organizer, meeting_id=meeting.pk)
    client.force_login(people("member1"))
    assert 'data-testid="pack-pdf"' not in client.get(f"/meetings/{meeting.pk}/").content.decode()

    services.meeting_open(actor=organizer, meeting_id=meeting.pk)

    page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert f'href="/meetings/{meeting.pk}/pack.pdf" data-testid="pack-pdf"' in page
    assert "材料 2 份" in page  # the materials count on the agenda, likewise
    pack = client.get(f"/meetings/{meeting.pk}/pack.pdf")
    assert pack.status_code == 200
    assert "关于建设实训基地的请示" in "".join(pages_text(pack.content))


def test_the_minutes_as_a_word_document_in_the_gongwen_layout(people, client):
    meeting, _, minutes = locked_minutes(people)
    client.force_login(people("member1"))

    response = client.get(f"/meetings/minutes/{minutes.pk}/minutes.docx")

    assert response.status_code == 200
    doc = Document(io.BytesIO(response.getvalue()))
    paragraphs = [p.text for p in doc.paragraphs]
    text = "\n".join(paragraphs)
    assert paragraphs[0] == "党委会纪要"  # 发文机关标志
    assert minutes.number in paragraphs  # 发文字号
    assert SENTENCE in text
    assert "签发人：王建国" in text
    assert "会签：" in text and "陈晓红" not in text.split("会签：")[1]  # absent: did not sign
    held = timezone.localtime(meeting.opened_at)
    assert f"时间：{held.year}年{held.month}月{held.day}日" in text
    body = next(p for p in doc.paragraphs if SENTENCE in p.text)
    run = body.runs[0]
    assert run.font.size.pt == 16  # 三号
    assert run._element.rPr.rFonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == (
        "仿宋_GB2312"
    )
    title = next(p for p in doc.paragraphs if p.text == f"{meeting.title}纪要")
    assert title.runs[0].font.size.pt == 22 and title.runs[0].font.name == "方正小标宋简体"
    section = doc.sections[0]
    assert (round(section.top_margin.mm), round(section.left_margin.mm)) == (37, 28)


def test_a_resolution_as_a_word_document_and_not_for_whom_may_not_see_it(people, client):
    meeting, (project, _), _ = locked_minutes(people)
    resolution = Resolution.objects.get(entry=project)
    client.force_login(people("member1"))

    response = client.get(f"/meetings/resolutions/{resolution.pk}/resolution.docx")

    assert response.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(response.getvalue())).paragraphs)
    assert resolution.number in text
    assert "关于关于建设实训基地的请示的决议" in text
    assert "签发人：王建国" in text

    client.force_login(people("staff"))
    assert client.get(f"/meetings/resolutions/{resolution.pk}/resolution.docx").status_code == 404


def test_the_archive_and_the_minutes_carry_the_day_the_meeting_was_held(people, client):
    meeting, _, minutes = locked_minutes(people)  # planned three days ahead, held today
    held, planned = timezone.localtime(meeting.opened_at), timezone.localtime(meeting.starts_at)
    assert held.date() != planned.date()
    client.force_login(people("member1"))

    archive = "".join(pages_text(client.get(f"/meetings/{meeting.pk}/archive.pdf").getvalue()))

    assert held.strftime("%Y年%m月%d日") in archive
    assert planned.strftime("%Y年%m月%d日") not in archive
    assert held.strftime("%Y年%m月%d日") in minutes.text
