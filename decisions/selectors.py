"""Reads of agenda items, already limited to what the user may see."""

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.audit import history_of
from core.db import SubqueryCount
from decisions import access
from decisions.access import visibility_filter
from decisions.models import ALL_STEPS, STEPS, AgendaItem, Attachment, Consultation, Countersign, ItemReview, State
from decisions.services import LEADER_SUBMISSION_REASON, SELF_APPROVAL_REASON, join_names
from org.access import chaired_bodies
from org.models import User


def _base() -> QuerySet[AgendaItem]:
    return AgendaItem.objects.select_related("requested_body", "department", "submitter")


def visible_items(user: User) -> QuerySet[AgendaItem]:
    return _base().filter(visibility_filter(user))


def search(qs: QuerySet[AgendaItem], *, q: str = "", state: str = "") -> QuerySet[AgendaItem]:
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(background__icontains=q) | Q(proposal__icontains=q))
    if state in State.values:
        qs = qs.filter(state=state)
    return qs


def item_rows() -> QuerySet[AgendaItem]:
    """Items with what a list line shows (body, department, submitter); filter with the *_q rules."""
    return _base()


def my_items_q(user: User) -> Q:
    return Q(submitter=user)


def review_queue_q(user: User) -> Q:
    return review_queue_items_q(user)


def screening_queue_q(user: User) -> Q:
    return Q(state=State.SCREENING) & access.screened_by(user)


QUEUE_ORDER = ("submitted_at", "id")


def my_items(user: User) -> QuerySet[AgendaItem]:
    return _base().filter(my_items_q(user))


def review_queue(user: User) -> QuerySet[AgendaItem]:
    return _base().filter(review_queue_q(user)).order_by(*QUEUE_ORDER)


def screening_queue(user: User) -> QuerySet[AgendaItem]:
    return _base().filter(screening_queue_q(user)).order_by(*QUEUE_ORDER)


def consultation_inbox(user: User, *, answered: bool = False) -> QuerySet[Consultation]:
    qs = Consultation.objects.filter(consultee=user).select_related(
        "item", "item__requested_body", "item__department", "item__submitter", "requested_by"
    )
    if answered:
        return qs.exclude(answer=Consultation.Answer.PENDING).order_by("-answered_at", "-id")
    return waiting_consultations(qs).order_by("requested_at", "id")


def waiting_consultations(qs: QuerySet[Consultation]) -> QuerySet[Consultation]:
    """Requests still waiting for an answer: pending, of the item's current round, while the item
    is still being talked over. A superseded round or a withdrawn item waits on nobody."""
    return qs.filter(
        answer=Consultation.Answer.PENDING,
        round=F("item__consultation_round"),
        item__state__in=STEPS["consult_answer"].sources,
    )


def item_detail(user: User, item_id: int) -> AgendaItem | None:
    return (
        visible_items(user)
        .select_related("requested_body__chair")
        .prefetch_related(
            Prefetch(
                "attachments", queryset=Attachment.objects.filter(removed_at__isnull=True).select_related("uploaded_by")
            ),
            Prefetch(
                "consultations", queryset=Consultation.objects.select_related("consultee").order_by("round", "id")
            ),
            # The item's meetings (the chain 校长办公会 → 党委会), named by relation so that this app
            # does not import the meetings app above it.
            Prefetch(
                "agenda_entries",
                queryset=AgendaItem._meta.get_field("agenda_entries")
                .related_model.objects.select_related("meeting__body", "resolution")
                .order_by("meeting__starts_at", "id"),
            ),
        )
        .filter(pk=item_id)
        .first()
    )


VERB_LABELS = {
    "item.create": gettext_lazy("创建草稿"),
    "item.edit": gettext_lazy("修改内容"),
    "item.attach": gettext_lazy("上传附件"),
    "item.detach": gettext_lazy("撤下附件"),
    "item.countersign": gettext_lazy("发起会签"),
    "item.countersign_answer": gettext_lazy("会签意见"),
    "item.route": gettext_lazy("调整报送会议"),
}


def item_history(item: AgendaItem) -> list:
    """The item's whole record, oldest first, each event labelled for the page."""
    events = list(history_of(item).exclude(verb="item.view"))
    for e in events:
        step = e.verb.removeprefix("item.")
        label = VERB_LABELS.get(e.verb) or (ALL_STEPS[step].label if step in ALL_STEPS else e.verb)
        e.verb_label = str(label)
        if e.verb == "item.consult_answer":
            answer = _("同意") if e.data.get("answer") == "agree" else _("有不同意见")
            e.verb_label = _("%(step)s：%(detail)s") % {"step": e.verb_label, "detail": answer}
        if e.verb == "item.dept_approve" and e.data.get("label"):
            e.verb_label = _("%(step)s：%(detail)s") % {"step": e.data["label"], "detail": _("通过")}
        if e.verb == "item.dept_return" and e.data.get("label"):
            e.verb_label = _("%(step)s：%(detail)s") % {"step": e.data["label"], "detail": _("退回修改")}
        if e.verb == "item.countersign":
            e.verb_label = _("%(step)s：%(detail)s") % {"step": e.verb_label, "detail": e.data.get("departments", "")}
        if e.verb in ("item.attach", "item.detach"):
            e.verb_label = _("%(step)s：%(detail)s") % {"step": e.verb_label, "detail": e.data.get("name", "")}
        if e.verb == "item.edit":
            fields = join_names(_field_label(f) for f in e.data.get("changed", {}))
            e.verb_label = _("%(step)s（%(fields)s）") % {"step": e.verb_label, "fields": fields}
        if e.reason in (SELF_APPROVAL_REASON, LEADER_SUBMISSION_REASON):
            # Written by the system, not a person: shown in the reader's language.
            e.reason = _(e.reason)
        e.to_state_label = State(e.to_state).label if e.to_state in State.values else e.to_state
    return events


def _field_label(name: str) -> str:
    try:
        return str(AgendaItem._meta.get_field(name).verbose_name)
    except Exception:
        return name


def item_views(item: AgendaItem):
    return history_of(item).filter(verb="item.view").order_by("-created_at", "-id")


def visible_attachment(user: User, attachment_id: int) -> Attachment | None:
    return (
        Attachment.objects.select_related("item")
        .filter(pk=attachment_id, item__in=AgendaItem.objects.filter(visibility_filter(user)).values("pk"))
        .first()
    )


def queue_count_expressions(user: User) -> dict:
    """The navigation badges (what waits on this person) and whether they chair a body, as
    expressions, so the navigation asks them together with the other menus in one query."""
    return {
        "queue_review": SubqueryCount(AgendaItem.objects.filter(review_queue_items_q(user))),
        "queue_screening": SubqueryCount(AgendaItem.objects.filter(screening_queue_q(user))),
        "queue_consultations": SubqueryCount(waiting_consultations(Consultation.objects.filter(consultee=user))),
        "chairs_a_body": Exists(chaired_bodies(user)),
    }


def read_queue_counts(user: User, row: dict) -> dict[str, int]:
    """The badges from a row of queue_count_expressions; remembers whether the person chairs a body."""
    user._chairs_a_body = bool(row["chairs_a_body"])
    return {
        "review": row["queue_review"],
        "screening": row["queue_screening"],
        "consultations": row["queue_consultations"],
    }


def queue_counts(user: User) -> dict[str, int]:
    """Numbers for the navigation badges: what waits on this person (one query)."""
    row = User.objects.filter(pk=user.pk).values(**queue_count_expressions(user)).get()
    return read_queue_counts(user, row)


def item_chain(item: AgendaItem) -> list[ItemReview]:
    """The review chain as the page shows it: every round's steps, with their countersigns, latest round first."""
    return list(
        ItemReview.objects.filter(item=item)
        .select_related("assignee", "acted_by", "department")
        .prefetch_related(
            Prefetch("countersigns", queryset=Countersign.objects.select_related("department", "answered_by"))
        )
        .order_by("-round", "position")
    )


def review_queue_items_q(user: User) -> Q:
    """审批待办: items in the chain whose open step waits on `user` (or, for an item submitted before
    chains were kept, on its department's head)."""
    waiting = ItemReview.objects.filter(access.reviews_waiting_on(user)).values("item_id")
    legacy = Q(department_id__in=user.headed_department_ids) & ~Exists(ItemReview.objects.filter(item=OuterRef("pk")))
    return Q(state=State.DEPT_REVIEW) & (Q(pk__in=waiting) | legacy)
