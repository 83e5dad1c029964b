"""Every write to the secretary's mailbox （书记信箱） goes through here.

    letter_write            a signed-in person writes a letter under their name
    letter_write_anonymous  anyone writes without a name: no link to the writer is stored, they get
                            a query code (shown once; only its SHA-256 is kept)
    letter_forward          the secretary or the party office hands a letter to a department
                            (the department is never told who wrote it)
    letter_reply            the secretary, the party office, or the head of a department the letter
                            was forwarded to replies; a named writer is told
    letters_sweep           (job) letters near their reply deadline are reminded; past it, escalated

Each writes one audit event. Notifications are stored in the site's language, whoever acts.
"""

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import audit
from core.errors import InvalidTransition, conflict, forbidden
from core.jobs import enqueue
from core.text import check_text, clean_text
from org.models import Department, Role, User
from supervision import access
from supervision.models import LETTER_TRANSITIONS, Letter, LetterForward, LetterReply
from supervision.workdays import add_working_days, reply_working_days

# Letters without the look-alikes 0/O and 1/I/L: a code read out or copied by hand still works.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 16


def _school_today() -> dt.date:
    return timezone.localdate(timezone=timezone.get_default_timezone())


def code_hash(code: str) -> str:
    """The stored form of a query code: SHA-256 of the code without spaces, dashes or case. The
    code carries 79 random bits, so a fast hash is safe against guessing."""
    normal = "".join(c for c in code.upper() if c.isalnum())
    return hashlib.sha256(normal.encode()).hexdigest()


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def _locked(letter_id: int) -> Letter:
    try:
        return Letter.objects.select_for_update().get(pk=letter_id)
    except Letter.DoesNotExist as exc:
        raise InvalidTransition(_("来信不存在"), status=404) from exc


def _clean(subject: str, body: str) -> tuple[str, str]:
    subject, body = clean_text(subject), clean_text(body)
    if not subject or not body:
        raise conflict(_("请填写来信主题和内容"))
    check_text(Letter, subject=subject[:200], body=body)
    return subject[:200], body


@transaction.atomic
def letter_write(*, actor: User, subject: str, body: str) -> Letter:
    """A letter to the secretary's mailbox under the writer's name: anyone signed in may write one."""
    if not actor.is_authenticated:
        raise forbidden(_("请先登录再写信"))
    subject, body = _clean(subject, body)
    due = add_working_days(_school_today(), reply_working_days())
    letter = Letter.objects.create(author=actor, subject=subject, body=body, reply_due=due)
    audit.record(actor=actor, verb="letter.write", target=letter, to_state=letter.state, data={"subject": subject})
    enqueue(notify_new_letter, letter.pk)
    return letter


def letter_write_anonymous(*, subject: str, body: str) -> tuple[Letter, str]:
    """An anonymous letter (匿名来信): takes no actor, so nothing about the writer can be stored; the
    audit event has no actor. Returns the letter and its query code, which exists nowhere else."""
    subject, body = _clean(subject, body)
    due = add_working_days(_school_today(), reply_working_days())
    for _attempt in range(3):
        code = new_code()
        try:
            with transaction.atomic():
                letter = Letter.objects.create(
                    author=None, anonymous=True, code_hash=code_hash(code), subject=subject, body=body, reply_due=due
                )
                audit.record(
                    actor=None, verb="letter.write", target=letter, to_state=letter.state, data={"anonymous": True}
                )
                enqueue(notify_new_letter, letter.pk)
        except IntegrityError:  # the same code twice: 1 in 2^79, try another
            continue
        return letter, code
    raise conflict(_("暂时无法生成查询码，请稍后再试"))


@transaction.atomic
def letter_forward(*, actor: User, letter_id: int, department_id: int, note: str = "") -> LetterForward:
    """转办: the letter goes to a department, whose heads may read it (without its writer) and reply."""
    if not access.can_forward_letter(actor):
        raise forbidden(_("只有党委书记或党委办公室可以转办来信"))
    letter = _locked(letter_id)
    department = Department.objects.filter(pk=department_id).first()
    if department is None:
        raise conflict(_("请选择承办部门"))
    if letter.forwards.filter(department=department).exists():
        raise conflict(_("这封来信已转办给%(dept)s") % {"dept": department.name})
    note = clean_text(note)
    check_text(LetterForward, note=note)
    forward = LetterForward.objects.create(letter=letter, department=department, by=actor, note=note)
    audit.record(actor=actor, verb="letter.forward", target=letter, reason=note, data={"department": department.pk})
    enqueue(notify_forwarded, forward.pk)
    return forward


@transaction.atomic
def letter_reply(*, actor: User, letter_id: int, body: str) -> LetterReply:
    """The secretary, the party office, or the head of a department the letter was forwarded to
    replies. The first reply marks the letter replied; later ones follow up and leave it so."""
    letter = _locked(letter_id)
    LETTER_TRANSITIONS.check(actor, letter, "reply")
    body = clean_text(body)
    if not body:
        raise conflict(_("请填写回复内容"))
    check_text(LetterReply, body=body)
    reply = LetterReply.objects.create(letter=letter, author=actor, body=body)
    if letter.replied_at is None:
        letter.replied_at = reply.created_at or timezone.now()
    LETTER_TRANSITIONS.apply(letter, actor=actor, action="reply", data={"reply": reply.pk}, fields=("replied_at",))
    enqueue(notify_reply, reply.pk)
    return reply


def answerers() -> list[User]:
    return list(User.objects.filter(is_active=True, role_assignments__role__in=access.ANSWERERS).distinct())


def notify_new_letter(letter_id: int) -> int:
    """Job: the secretary and the party office are told of a new letter. Safe to run twice."""
    from core.notify import link_for, message, notify

    letter = Letter.objects.get(pk=letter_id)
    with translation.override(settings.LANGUAGE_CODE):
        text = message("letter.new", confidential=letter.confidential, subject=letter.subject)
    return notify(recipients=answerers(), key=f"letter:{letter.pk}", text=text, link=link_for("letter.new", letter.pk))


def notify_forwarded(forward_id: int) -> int:
    """Job: the heads of the department a letter was forwarded to are told. Safe to run twice."""
    from core.notify import link_for, message, notify

    forward = LetterForward.objects.select_related("letter").get(pk=forward_id)
    heads = User.objects.filter(
        is_active=True, role_assignments__role=Role.DEPT_HEAD, role_assignments__department=forward.department_id
    ).distinct()
    with translation.override(settings.LANGUAGE_CODE):
        text = message("letter.forwarded", confidential=True, deadline=str(forward.letter.reply_due or ""))
    return notify(
        recipients=heads,
        key=f"letter-forward:{forward.pk}",
        text=text,
        link=link_for("letter.forwarded", forward.letter_id),
    )


def notify_reply(reply_id: int) -> int:
    """Job: a named letter's writer is told of a reply (an anonymous one's reads it by the code).
    Safe to run twice (keyed per reply)."""
    from core.notify import link_for, message, notify

    reply = LetterReply.objects.select_related("letter__author").get(pk=reply_id)
    letter = reply.letter
    if letter.author is None:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        text = message("letter.replied", confidential=letter.confidential, subject=letter.subject)
    return notify(
        recipients=[letter.author],
        key=f"letter-reply:{reply.pk}",
        text=text,
        link=link_for("letter.replied", letter.pk),
    )
