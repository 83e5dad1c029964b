"""Every PDF is set in the Chinese fonts shipped under static/fonts/, whatever fonts the server has:
the meeting archive (with its minutes) and the quarterly supervision report hold their Chinese
text, every font in them is one of the shipped ones, and a rare character in a name comes from the
fallback face instead of an empty box."""

import io
import re

import pytest
from pypdf import PdfReader
from whitenoise.compress import Compressor

from decisions.models import AgendaItem
from org.models import User
from tests.test_minutes import SENTENCE, held_meeting, locked_minutes
from tests.test_supervision_report import july, world  # noqa: F401 (fixtures)

SHIPPED = {"Yishi-Serif-SC", "Yishi-Sans-SC", "Yishi-Serif-SC-Ext"}


def fonts_of(content: bytes) -> dict[str, set[str]]:
    """{font family: the characters drawn with it} for every font of every page, each of which must
    be embedded (a font only named would be drawn with whatever the reader has)."""
    fonts: dict[str, set[str]] = {}
    for page in PdfReader(io.BytesIO(content)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            # "ABCDEF+Yishi-Sans-SC-Bold": a subset tag, the family and the weight asked for.
            name = str(font["/BaseFont"]).split("+", 1)[-1].removesuffix("-Bold")
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            assert "/FontFile2" in descriptor, f"{name} is not embedded"
            cmap = font["/ToUnicode"].get_data().decode("latin-1")
            drawn = {
                bytes.fromhex(text).decode("utf-16-be")
                for gid, text in re.findall(r"<([0-9a-f]+)> <([0-9a-f]+)>", cmap.split("endcodespacerange")[1])
                if int(gid, 16) != 0  # glyph 0 is the empty box
            }
            fonts.setdefault(name, set()).update(drawn)
    return fonts


def text_of(content: bytes) -> str:
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return re.sub(r"\s+", "", text)


def test_the_meeting_archive_is_set_in_the_shipped_fonts(people, client):
    meeting, _, minutes = locked_minutes(people)
    client.force_login(people("member1"))

    content = client.get(f"/meetings/{meeting.pk}/archive.pdf").getvalue()

    text = text_of(content)
    assert meeting.title in text and SENTENCE in text and minutes.number in text
    fonts = fonts_of(content)
    assert set(fonts) <= SHIPPED
    assert {"Yishi-Serif-SC", "Yishi-Sans-SC"} <= set(fonts)
    assert {"会", "议", "纪", "要"} <= fonts["Yishi-Serif-SC"]
    assert {"出", "席", "情", "况"} <= fonts["Yishi-Sans-SC"]  # 一、出席情况 is a heading


def test_the_quarterly_report_is_set_in_the_shipped_fonts(client, people, july):  # noqa: F811
    client.force_login(people("discipline"))

    content = client.get("/reports/supervision/2026-Q2.pdf").content

    assert "2026年第2季度督查工作情况报告" in text_of(content)
    fonts = fonts_of(content)
    assert set(fonts) <= SHIPPED
    assert {"督", "查", "报", "告"} <= fonts["Yishi-Sans-SC"]  # the title
    assert {"统", "计"} <= fonts["Yishi-Serif-SC"]


def test_a_rare_character_in_a_name_is_drawn_from_the_fallback_face(people, client):
    # 堃 (beyond GB 2312), 䶮 (Extension A) and 𠮷 (Extension B) are all in people's names.
    User.objects.filter(username="member1").update(name="张堃")
    User.objects.filter(username="principal").update(name="刘䶮")
    meeting, (project, _) = held_meeting(people)
    AgendaItem.objects.filter(pk=project.item_id).update(title="关于吴𠮷同志实训基地建设的请示")
    client.force_login(people("member1"))

    content = client.get(f"/meetings/{meeting.pk}/archive.pdf").getvalue()

    text = text_of(content)
    assert "张堃" in text and "刘䶮" in text and "关于吴𠮷同志实训基地建设的请示" in text
    fonts = fonts_of(content)
    assert set(fonts) <= SHIPPED
    assert {"堃", "䶮", "𠮷"} <= fonts["Yishi-Serif-SC-Ext"]
    # The fallback only fills in: the common characters around them come from the primary faces.
    assert "张" in fonts["Yishi-Serif-SC"] and "张" not in fonts["Yishi-Serif-SC-Ext"]


def test_a_pdf_reads_its_fonts_from_static_and_nothing_else():
    from core.pdf import STATIC_BASE, static_fetcher

    fetcher = static_fetcher()

    assert fetcher.fetch(STATIC_BASE + "fonts/YishiSerifSC-Regular.ttf").read(4) == b"\0\1\0\0"
    for url in (
        "http://example.invalid/x.ttf",
        "file:///etc/passwd",
        STATIC_BASE + "../etc/passwd",
        STATIC_BASE + "fonts/../../config/settings.py",
        STATIC_BASE + "fonts/none.ttf",
    ):
        with pytest.raises(OSError):
            fetcher.fetch(url)


def test_collectstatic_does_not_compress_the_fonts(settings):
    """Brotli over 16 MB of fonts that no browser asks for would cost a minute per deployment."""
    compressor = Compressor(extensions=settings.WHITENOISE_SKIP_COMPRESS_EXTENSIONS, quiet=True)

    assert not compressor.should_compress("fonts/YishiSerifSCExt-Regular.ttf")
    assert compressor.should_compress("css/yishi.css")
