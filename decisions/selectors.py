"""Reads of agenda items, already limited to what the user may see."""

from django.db.models import Count, Prefetch, Q, QuerySet

from core.audit import history_of
from decisions.access import visibility_filter
from decisions.models import STEPS, AgendaItem, Attachment, Consultation, State
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


def my_items(user: User) -> QuerySet[AgendaItem]:
    return _base().filter(submitter=user)


def review_queue(user: User) -> QuerySet[AgendaItem]:
    return (
        _base()
        .filter(state=State.DEPT_REVIEW, department_id__in=user.headed_department_ids)
        .order_by("submitted_at", "id")
    )


def screening_queue(user: User) -> QuerySet[AgendaItem]:
    return _base().filter(state=State.SCREENING, requested_body__chair=user).order_by("submitted_at", "id")


def consultation_inbox(user: User, *, answered: bool = False) -> QuerySet[Consultation]:
    qs = Consultation.objects.filter(consultee=user).select_related(
        "item", "item__requested_body", "item__department", "item__submitter", "requested_by"
    )
    if answered:
        return qs.exclude(answer=Consultation.Answer.PENDING).order_by("-answered_at", "-id")
    return qs.filter(answer=Consultation.Answer.PENDING).order_by("requested_at", "id")


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
        )
        .filter(pk=item_id)
        .first()
    )


VERB_LABELS = {
    "item.create": "创建草稿",
    "item.edit": "修改内容",
    "item.attach": "上传附件",
    "item.detach": "撤下附件",
}


def item_history(item: AgendaItem) -> list:
    """The item's whole record, oldest first, each event labelled for the page."""
    events = list(history_of(item).exclude(verb="item.view"))
    for e in events:
        step = e.verb.removeprefix("item.")
        e.verb_label = VERB_LABELS.get(e.verb) or (str(STEPS[step].label) if step in STEPS else e.verb)
        if e.verb == "item.consult_answer":
            e.verb_label += ":" + ("同意" if e.data.get("answer") == "agree" else "有不同意见")
        if e.verb in ("item.attach", "item.detach"):
            e.verb_label += ":" + e.data.get("name", "")
        if e.verb == "item.edit":
            e.verb_label += "(" + "、".join(_field_label(f) for f in e.data.get("changed", {})) + ")"
        e.to_state_label = State(e.to_state).label if e.to_state in State.values else e.to_state
    return events


def _field_label(name: str) -> str:
    try:
        return str(AgendaItem._meta.get_field(name).verbose_name)
    except Exception:
        return name


def item_views(item: AgendaItem):
    return history_of(item).filter(verb="item.view").order_by("-created_at")


def visible_attachment(user: User, attachment_id: int) -> Attachment | None:
    return (
        Attachment.objects.select_related("item")
        .filter(pk=attachment_id, item__in=AgendaItem.objects.filter(visibility_filter(user)).values("pk"))
        .first()
    )


def queue_counts(user: User) -> dict[str, int]:
    """Numbers for the navigation badges: what waits on this person."""
    counts = {"review": 0, "screening": 0, "consultations": 0}
    if user.headed_department_ids:
        counts["review"] = AgendaItem.objects.filter(
            state=State.DEPT_REVIEW, department_id__in=user.headed_department_ids
        ).count()
    agg = AgendaItem.objects.filter(state=State.SCREENING, requested_body__chair=user).aggregate(n=Count("id"))
    counts["screening"] = agg["n"]
    counts["consultations"] = Consultation.objects.filter(consultee=user, answer=Consultation.Answer.PENDING).count()
    return counts
