"""Every write to the secretary's mailbox （书记信箱） goes through here.

    letter_write    anyone writes a letter; the secretary and the party office are told
    letter_reply    the secretary (or the party office for him) replies; the author is told

Each writes one audit event. Notifications are stored in the site's language, whoever acts.
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import audit
from core.errors import InvalidTransition, conflict, forbidden
from core.jobs import enqueue
from core.text import check_text, clean_text
from org.models import User
from supervision import access
from supervision.models import LETTER_TRANSITIONS, Letter, LetterReply


def _locked(letter_id: int) -> Letter:
    try:
        return Letter.objects.select_for_update().get(pk=letter_id)
    except Letter.DoesNotExist as exc:
        raise InvalidTransition(_("来信不存在"), status=404) from exc


@transaction.atomic
def letter_write(*, actor: User, subject: str, body: str) -> Letter:
    """A letter to the secretary's mailbox: anyone logged in may write one."""
    if not actor.is_authenticated:
        raise forbidden(_("请先登录再写信"))
    subject, body = clean_text(subject), clean_text(body)
    if not subject or not body:
        raise conflict(_("请填写来信主题和内容"))
    check_text(Letter, subject=subject[:200], body=body)
    letter = Letter.objects.create(author=actor, subject=subject[:200], body=body)
    audit.record(actor=actor, verb="letter.write", target=letter, to_state=letter.state, data={"subject": subject})
    enqueue(notify_new_letter, letter.pk)
    return letter


@transaction.atomic
def letter_reply(*, actor: User, letter_id: int, body: str) -> LetterReply:
    """The secretary, or the party office on his behalf, replies. The first reply marks the
    letter replied; later ones are follow-ups and leave it replied."""
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


def notify_new_letter(letter_id: int) -> int:
    """Job: the secretary and the party office are told of a new letter. Safe to run twice."""
    from core.notify import link_for, message, notify

    letter = Letter.objects.get(pk=letter_id)
    people = User.objects.filter(is_active=True, role_assignments__role__in=access.ANSWERERS).distinct()
    with translation.override(settings.LANGUAGE_CODE):
        text = message("letter.new", confidential=letter.confidential, subject=letter.subject)
    return notify(recipients=people, key=f"letter:{letter.pk}", text=text, link=link_for("letter.new", letter.pk))


def notify_reply(reply_id: int) -> int:
    """Job: the author of the letter is told of a reply. Safe to run twice (keyed per reply)."""
    from core.notify import link_for, message, notify

    reply = LetterReply.objects.select_related("letter__author").get(pk=reply_id)
    letter = reply.letter
    with translation.override(settings.LANGUAGE_CODE):
        text = message("letter.replied", confidential=letter.confidential, subject=letter.subject)
    return notify(
        recipients=[letter.author],
        key=f"letter-reply:{reply.pk}",
        text=text,
        link=link_for("letter.replied", letter.pk),
    )
