"""What a service checks in free text before it is stored.

Django's form fields refuse NUL (ProhibitNullCharactersValidator), and PostgreSQL cannot keep
it in a text column at all (the write fails with an error page). A service is called by more
than forms (jobs, the demo, other services), so each text it stores passes here first: NUL is
refused with a reason, and so is text longer than its column. Everything else (markup, SQL
metacharacters, direction marks) is stored as written: it reaches SQL only as a parameter and
the page only through the template's escaping.

Blank means blank in one place, `clean_text`: a required text of only spaces or invisible
characters (tab, NBSP, the ideographic space U+3000, zero-width space and joiners, the word
joiner, a BOM) shows nothing on the page, so it is as empty as "" and refused as such, by the
forms (core.forms) and by the services alike.
"""

import unicodedata

from django.db import models
from django.utils.translation import gettext as _

from core.errors import conflict

# Letters that print as nothing although they are not spaces (Hangul fillers, the blank Braille cell).
_FILLERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
# Spaces of every width, line and paragraph separators, and format characters (category Cf:
# zero-width space U+200B, non-joiner, joiner, word joiner U+2060, BOM U+FEFF, direction marks).
_NOTHING = frozenset({"Zs", "Zl", "Zp", "Cf"})


def _shows_nothing(c: str) -> bool:
    return c.isspace() or c in _FILLERS or unicodedata.category(c) in _NOTHING


def clean_text(value: str | None) -> str:
    """`value` without what shows nothing at either end; "" when nothing in it shows at all."""
    value = value or ""
    start, end = 0, len(value)
    while start < end and _shows_nothing(value[start]):
        start += 1
    while end > start and _shows_nothing(value[end - 1]):
        end -= 1
    return value[start:end]


def is_blank(value: str | None) -> bool:
    """True when `value` would show nothing: empty, or only spaces and invisible characters."""
    return not clean_text(value)


def require_text(model: type[models.Model], **values: str | None) -> dict[str, str]:
    """`values` cleaned (clean_text); refuse (409) one that is blank, naming its field on `model`,
    or one that check_text refuses."""
    cleaned = {name: clean_text(value) for name, value in values.items()}
    for name, value in cleaned.items():
        if not value:
            field = model._meta.get_field(name)
            raise conflict(_("请填写“%(field)s”，不能只有空格或不可见字符。") % {"field": field.verbose_name})
    check_text(model, **cleaned)
    return cleaned


def check_text(model: type[models.Model], **values: str | None) -> None:
    """Refuse (409) a NUL in any of `values`, or one longer than its field on `model`."""
    for name, value in values.items():
        if not value:
            continue
        field = model._meta.get_field(name)
        if "\x00" in value:
            raise conflict(_("“%(field)s”中含有空字符（NUL），无法保存，请删除后重试") % {"field": field.verbose_name})
        limit = getattr(field, "max_length", None)
        if limit and len(value) > limit:
            raise conflict(
                _("“%(field)s”不能超过 %(limit)d 个字（现有 %(length)d 个）")
                % {"field": field.verbose_name, "limit": limit, "length": len(value)}
            )


def plain_file_name(name: str) -> str:
    """A file's name without invisible format characters (category Cf: the direction overrides
    U+202A–U+202E and isolates U+2066–U+2069, zero-width joiners, the BOM), which could make
    "发票\u202egpj.exe" read as "发票exe.jpg". The name is shown and sent on download; the file's
    bytes and checksum are untouched."""
    return "".join(c for c in name if unicodedata.category(c) != "Cf").strip() or "file"


def check_no_nul(**values: str | None) -> None:
    """Refuse (409) a NUL in text that is stored without a form's field to name (a reason, an
    amendment): PostgreSQL cannot keep it."""
    if any(value and "\x00" in value for value in values.values()):
        raise conflict(_("输入中含有空字符（NUL），无法保存，请删除后重试"))


def required(value: str | None, *, missing: str) -> str:
    """A required reason or text, cleaned (clean_text): refused with `missing` when blank, and with
    check_no_nul's message when it holds a NUL. Every service that takes one asks here."""
    value = clean_text(value)
    check_no_nul(value=value)
    if not value:
        raise conflict(missing)
    return value
