"""纪要: drafted from the record at adjournment, edited by the recorder, co-signed by every member
present, locked by the last signature; corrections are new minutes that amend the locked ones."""

import hashlib

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.text import normalize_newlines
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, pgettext

from core import audit
from core.errors import InvalidTransition, conflict
from core.jobs import enqueue
from core.sequences import next_number
from core.text import required
from decisions import services as item_services
from meetings import access
from meetings.models import (
    Meeting,
    Minutes,
    MinutesSignature,
)
from meetings.selectors import meeting_record
from meetings.services.base import (
    _meeting,
    _recorded,
    notify_attendees,
)
from meetings.services.documents import store_documents
from meetings.transitions import MINUTES_TRANSITIONS
from org.models import User


def draft_minutes_text(meeting: Meeting) -> str:
    """The first draft, written from the recorded facts only.

    The text is stored, so it is written in the site's language, whoever adjourns.
    """
    with translation.override(settings.LANGUAGE_CODE):
        return _draft_minutes_text(meeting)


def _draft_minutes_text(meeting: Meeting) -> str:
    record = meeting_record(meeting.pk)
    local = timezone.localtime(meeting.held_at)
    join, nobody = item_services.join_names, pgettext("nobody", "无")
    # Members never marked are not "absent: none": the record says they were not registered.
    unmarked = (
        _("未登记（%(names)s）") % {"names": join(a.person for a in record.unknown_members)}
        if record.unknown_members
        else ""
    )
    lines = [
        _("%(meeting)s纪要") % {"meeting": meeting.title},
        "",
        _("时间：%(year)s年%(month)s月%(day)s日 %(time)s")
        % {"year": f"{local:%Y}", "month": f"{local:%m}", "day": f"{local:%d}", "time": f"{local:%H:%M}"},
        _("地点：%(place)s") % {"place": meeting.place},
        _("主持：%(chair)s") % {"chair": meeting.chair},
        _("记录：%(secretary)s") % {"secretary": meeting.secretary},
        _("出席：%(names)s") % {"names": join(a.person for a in record.present_members) or nobody},
        _("缺席：%(names)s")
        % {"names": join(f"{a.person}（{a.absence_reason}）" for a in record.absent_members) or unmarked or nobody},
        _("列席：%(names)s") % {"names": join(a.person for a in record.observers) or nobody},
    ]
    if record.unknown_members and record.absent_members:
        lines.append(_("未登记：%(names)s") % {"names": join(a.person for a in record.unknown_members)})
    lines.append("")
    indent = "   "
    for n, row in enumerate(record.entries, start=1):
        e = row.entry
        heading = _("%(number)s. %(title)s（临时紧急议题）") if e.emergency else "%(number)s. %(title)s"
        lines.append(heading % {"number": n, "title": e.item.title})
        if e.emergency:
            lines.append(indent + _("紧急列入理由：%(reason)s") % {"reason": e.emergency_reason})
        for r in row.recusals:
            lines.append(indent + _("%(member)s回避（%(reason)s）。") % {"member": r.member, "reason": r.reason})
        for o in row.opinions:
            said = {"member": o.member, "stance": o.get_stance_display(), "text": o.text}
            lines.append(
                indent + (_("%(member)s：%(stance)s。%(text)s") if o.text else _("%(member)s：%(stance)s。")) % said
            )
        if row.tally:
            t = row.tally
            lines.append(
                indent
                + _("表决：应到 %(should)s 人，赞成 %(for)s 票，反对 %(against)s 票，弃权 %(abstain)s 票。")
                % {
                    "should": t.should_attend,
                    "for": t.votes_for,
                    "against": t.votes_against,
                    "abstain": t.votes_abstain,
                }
            )
        resolution = getattr(e, "resolution", None)
        outcome = e.get_outcome_display() + (f"（{resolution.number}）" if resolution else "")
        if e.outcome_note:
            lines.append(indent + _("结论：%(outcome)s。%(note)s") % {"outcome": outcome, "note": e.outcome_note})
        else:
            lines.append(indent + _("结论：%(outcome)s。") % {"outcome": outcome})
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _minutes(minutes_id: int) -> Minutes:
    try:
        minutes = Minutes.objects.select_related("meeting__body").get(pk=minutes_id)
    except Minutes.DoesNotExist as exc:
        raise InvalidTransition(_("纪要不存在"), status=404) from exc
    _meeting(minutes.meeting_id)
    return Minutes.objects.select_for_update().select_related("meeting__body").get(pk=minutes_id)


@transaction.atomic
def minutes_edit(*, actor: User, minutes_id: int, text: str, version: int) -> Minutes:
    """Save the draft (the page also saves by itself every few seconds). `version`: the draft the
    editor started from; a save over someone else's later save is refused with who made it."""
    minutes = _minutes(minutes_id)
    MINUTES_TRANSITIONS.check(actor, minutes, "edit")
    return _save(actor, minutes, text, version)


def _save(actor: User, minutes: Minutes, text: str, version: int) -> Minutes:
    # A browser posts a form's line breaks as CRLF and the autosave's as LF: the same text either way.
    text = required(normalize_newlines(text), missing=_("纪要正文不能为空")) + "\n"
    if text == minutes.text:
        # Nothing changed (an autosave on leaving the field), or the change is already saved, as
        # when 送会签 arrives just after the editor saved the same text by itself: no new version,
        # and nothing of anyone's to overwrite, so not refused as stale.
        return minutes
    if minutes.version != version:
        last = last_edit(minutes)
        if last is not None:
            raise conflict(
                _(
                    "纪要已被他人修改（%(who)s于%(time)s保存），您的修改未保存。对方保存的内容见下方，请在您的文本中合并后再保存。"
                )
                % {"who": last.actor, "time": f"{timezone.localtime(last.created_at):%H:%M:%S}"}
            )
        raise conflict(_("纪要已被他人修改，您的修改未保存。请刷新后重新编辑"))
    minutes.text = text
    minutes.version += 1
    minutes.save(update_fields=["text", "version"])
    audit.record(actor=actor, verb="minutes.edit", target=minutes, data={"version": minutes.version})
    return minutes


def last_edit(minutes: Minutes):
    """The latest saved change to the draft (its audit event: who and when), or None."""
    return audit.history_of(minutes).filter(verb="minutes.edit").order_by("-id").first()


@transaction.atomic
def minutes_send(*, actor: User, minutes_id: int, text: str | None = None, version: int | None = None) -> Minutes:
    """送会签. With the editor's `text` and `version`, the draft is saved first, in the same step:
    what is on the screen is what is signed."""
    minutes = _minutes(minutes_id)
    MINUTES_TRANSITIONS.check(actor, minutes, "send")
    if text is not None:
        minutes = _save(actor, minutes, text, version if version is not None else minutes.version)
    minutes.signing_round += 1
    minutes.version += 1
    MINUTES_TRANSITIONS.apply(minutes, actor=actor, action="send", fields=("signing_round", "version"))
    enqueue(notify_attendees, minutes.meeting_id, "sign")
    return minutes


def signers(minutes: Minutes, attendance=None) -> list[int]:
    """Every member present co-signs (会签): meetings.access.signers."""
    return access.signers(minutes, attendance)


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@transaction.atomic
def minutes_sign(*, actor: User, minutes_id: int) -> Minutes:
    minutes = _minutes(minutes_id)
    # Who first: a member present (access.signs), whatever the minutes' state.
    MINUTES_TRANSITIONS.check(actor, minutes, "sign")
    required = signers(minutes)
    try:
        with transaction.atomic():
            MinutesSignature.objects.create(
                minutes=minutes, member=actor, round=minutes.signing_round, text_sha256=text_digest(minutes.text)
            )
    except IntegrityError as exc:
        raise conflict(_("您已会签")) from exc
    audit.record(actor=actor, verb="minutes.sign", target=minutes, data={"round": minutes.signing_round})
    signed = set(minutes.signatures.filter(round=minutes.signing_round).values_list("member_id", flat=True))
    if set(required) <= signed:
        year = timezone.localtime(minutes.meeting.starts_at).year
        seq = next_number(f"minutes:{minutes.meeting.body.code}", year)
        minutes.number = _recorded(
            gettext_noop("%(body)s纪要〔%(year)s〕%(seq)s号"), body=minutes.meeting.body.name, year=year, seq=seq
        )
        before = minutes.state
        minutes.state = Minutes.State.LOCKED
        minutes.locked_at = timezone.now()
        minutes.save(update_fields=["number", "state", "locked_at"])
        enqueue("search.services.index_object", "minutes", minutes.pk)
        # The meeting's documents that can no longer change: rendered and stored once, off the request.
        enqueue(store_documents, minutes.pk)
        audit.record(
            actor=actor,
            verb="minutes.lock",
            target=minutes,
            from_state=before,
            to_state=minutes.state,
            data={"number": minutes.number},
        )
    return minutes


@transaction.atomic
def minutes_object(*, actor: User, minutes_id: int, reason: str) -> Minutes:
    """A member who cannot sign sends the minutes back with the reason; signatures start over."""
    minutes = _minutes(minutes_id)
    MINUTES_TRANSITIONS.check(actor, minutes, "object")
    reason = required(reason, missing=_("请写明修改意见"))
    minutes.version += 1
    MINUTES_TRANSITIONS.apply(minutes, actor=actor, action="object", reason=reason, fields=("version",))
    return minutes


@transaction.atomic
def minutes_amend(*, actor: User, minutes_id: int, text: str) -> Minutes:
    """A correction to locked minutes: a new, linked draft that goes through signing again."""
    original = _minutes(minutes_id)
    MINUTES_TRANSITIONS.check(actor, original, "amend")
    if Minutes.objects.filter(amends=original).exclude(state=Minutes.State.LOCKED).exists():
        raise conflict(_("已有一份更正纪要正在办理"))
    text = required(text, missing=_("请写明更正内容"))
    amendment = Minutes.objects.create(meeting=original.meeting, amends=original, text=text + "\n")
    audit.record(
        actor=actor, verb="minutes.amend", target=amendment, to_state=amendment.state, data={"amends": original.pk}
    )
    return amendment


def confidential_viewed(*, actor: User, entries) -> None:
    """A meeting page, the minutes or the archive that shows confidential items is a view of each."""
    secrets = [entry.item for entry in entries if entry.item.confidential]
    if secrets:
        audit.record_each(actor=actor, verb="item.view", targets=secrets)
