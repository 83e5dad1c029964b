"""Minutes （纪要） and resolutions （决议） as Word documents in the 公文 layout of GB/T 9704-2012.

A4; margins 37 mm top, 35 mm bottom, 28 mm left, 26 mm right; the issuing body's mark （发文机关
标志） in red 小标宋 over the document number （发文字号） and a red rule; the title in 2号 小标宋
(22 pt); the body in 3号 仿宋_GB2312 (16 pt) at a fixed 28 pt line, first lines indented two
characters; first-level headings in 3号 黑体； the signer （签发人） and the date at the end; page
numbers in 4号 at the foot. The fonts are named, not embedded: Word on a school office's PC has them.
"""

import io

from django.conf import settings
from django.utils import timezone, translation
from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

FANGSONG = "仿宋_GB2312"
HEITI = "黑体"
XIAOBIAOSONG = "方正小标宋简体"
KAITI = "楷体_GB2312"
SIZE_3 = Pt(16)  # 三号
SIZE_2 = Pt(22)  # 二号
SIZE_4 = Pt(14)  # 四号
RED = RGBColor(0xC8, 0x10, 0x2E)
LINE = Pt(28)


def _font(run, name: str, size, *, bold: bool = False, color: RGBColor | None = None) -> None:
    run.font.name = name
    run.font.size = size
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    # Word takes a Chinese run's face from eastAsia, not from the name above.
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:eastAsia", "w:ascii", "w:hAnsi"):
        fonts.set(qn(attr), name)


def _paragraph(doc, text: str = "", *, font=FANGSONG, size=SIZE_3, align=None, indent=True, bold=False, color=None):
    p = doc.add_paragraph()
    fmt = p.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE
    fmt.space_before = fmt.space_after = Pt(0)
    if indent:
        fmt.first_line_indent = Pt(32)  # two characters of 3号
    if align is not None:
        p.alignment = align
    if text:
        _font(p.add_run(text), font, size, bold=bold, color=color)
    return p


def _red_rule(doc) -> None:
    p = doc.add_paragraph()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "12"), ("w:space", "1"), ("w:color", "C8102E")):
        bottom.set(qn(key), value)
    border.append(bottom)
    p._p.get_or_add_pPr().append(border)


def _page_number(section) -> None:
    """The page number at the foot, centred, as — 1 — in 4号 宋体 (GB/T 9704 7.5)."""
    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(p.add_run("— "), "宋体", SIZE_4)
    run = p.add_run()
    _font(run, "宋体", SIZE_4)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)
    _font(p.add_run(" —"), "宋体", SIZE_4)


def _document():
    doc = Document()
    section = doc.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    normal = doc.styles["Normal"]
    normal.font.name = FANGSONG
    normal.font.size = SIZE_3
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FANGSONG)
    _page_number(section)
    return doc


def _head(doc, *, issuer: str, number: str, title: str) -> None:
    _paragraph(doc, issuer, font=XIAOBIAOSONG, size=Pt(36), align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, color=RED)
    _paragraph(doc)
    _paragraph(doc, number, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _red_rule(doc)
    _paragraph(doc)
    _paragraph(doc, title, font=XIAOBIAOSONG, size=SIZE_2, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _paragraph(doc)


def _body(doc, text: str) -> None:
    """Paragraphs of the text; a line like 一、… or 【…】 is a first-level heading, set in 黑体."""
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        heading = line[:2] in {f"{n}、" for n in "一二三四五六七八九十"} or line.startswith("【")
        _paragraph(doc, line, font=HEITI if heading else FANGSONG)


def _foot(doc, *, signer: str, day) -> None:
    _paragraph(doc)
    _paragraph(doc, f"签发人：{signer}", align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False, font=KAITI)
    _paragraph(doc, _chinese_date(day), align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)


def _chinese_date(moment) -> str:
    local = timezone.localtime(moment)
    return f"{local.year}年{local.month}月{local.day}日"


def _bytes(doc) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def minutes_docx(minutes) -> bytes:
    """A set of minutes (its meeting, chair and signatures loaded) as a 公文 纪要."""
    meeting = minutes.meeting
    with translation.override(settings.LANGUAGE_CODE):
        doc = _document()
        title = f"{meeting.title}纪要" if not minutes.amends_id else f"{meeting.title}纪要（更正）"
        _head(doc, issuer=f"{meeting.body.name}纪要", number=minutes.number or "（未编号）", title=title)
        _paragraph(doc, f"时间：{_chinese_date(meeting.held_at)}　地点：{meeting.place}", indent=False)
        _paragraph(doc, f"主持：{meeting.chair}　记录：{meeting.secretary}", indent=False)
        _paragraph(doc)
        _body(doc, minutes.text)
        signed = [str(s.member) for s in minutes.current_signatures]
        if signed:
            _paragraph(doc)
            _paragraph(doc, "会签：" + "、".join(signed), indent=False)
        _foot(doc, signer=str(meeting.chair), day=meeting.held_at)
        return _bytes(doc)


def resolution_docx(resolution) -> bytes:
    """A resolution （决议） with its meeting and item loaded, as a 公文 决议."""
    meeting = resolution.meeting
    with translation.override(settings.LANGUAGE_CODE):
        doc = _document()
        _head(
            doc,
            issuer=f"{meeting.body.name}决议",
            number=resolution.number,
            title=f"关于{resolution.item.title}的决议",
        )
        _paragraph(
            doc,
            f"{_chinese_date(meeting.held_at)}，{meeting.title}审议了“{resolution.item.title}”，"
            f"结果：{resolution.get_outcome_display()}。",
        )
        _body(doc, resolution.text)
        _foot(doc, signer=str(meeting.chair), day=meeting.held_at)
        return _bytes(doc)
