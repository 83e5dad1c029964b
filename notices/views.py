from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from core.errors import InvalidTransition
from core.http import refuse
from core.pages import get_page
from notices import access, selectors, services
from notices.forms import AttachmentForm, UpperDocumentForm

PAGE_SIZE = 20


@login_required
def notice_list(request):
    """通报： the notices addressed to me (unread first); the party office also has every notice sent."""
    q, box = request.GET.get("q", ""), request.GET.get("box", "")
    sender = access.is_party_office(request.user)
    if box == "sent" and not sender:
        return refuse(request, _("只有党委办公室可以查看全部通报"))
    if box == "sent":
        qs = selectors.sent(request.user, q=q)
    else:
        box, qs = "", selectors.inbox(request.user, q=q)
    template = "notices/notice_list.html"
    page = get_page(qs, PAGE_SIZE, request.GET.get("page"))
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "results":
        template += "#results"
    context = {"page": page, "q": q, "box": box, "sender": sender, "can_create": access.can_create(request.user)}
    context["digest_board"] = access.sees_digest_board(request.user)
    return render(request, template, context)


@login_required
def notice_new(request):
    if not access.can_create(request.user):
        return refuse(request, _("只有党委办公室可以发布通报"))
    form = UpperDocumentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            notice = services.notice_create_upper_document(
                actor=request.user, title=d["title"], body=d["body"], confidential=d["confidential"], **form.audience()
            )
        except InvalidTransition as e:
            form.add_error(None, e.reason)
            return render(request, "notices/notice_form.html", {"form": form}, status=e.status)
        messages.success(request, _("通报草稿已保存。请核对后发布。"))
        return redirect("notices:detail", notice.pk)
    return render(request, "notices/notice_form.html", {"form": form}, status=400 if form.errors else 200)


def _detail_context(request, notice, receipt):
    services.notice_viewed(actor=request.user, notice=notice)
    return {
        "notice": notice,
        "receipt": receipt,
        "can_publish": access.can_publish(request.user, notice),
        "can_attach": access.can_attach(request.user, notice),
        "attachment_form": AttachmentForm(),
    } | _receipts_context(request, notice)


def _receipts_context(request, notice) -> dict:
    follow_up = access.can_follow_up(request.user, notice) and notice.is_published
    receipts = selectors.receipts(notice) if follow_up else None
    return {"notice": notice, "receipts": receipts, "can_urge": bool(receipts and receipts.unread)}


@login_required
def notice_detail(request, pk: int):
    notice = selectors.notice_detail(request.user, pk)
    if notice is None:
        raise Http404
    receipt = selectors.receipt_of(request.user, notice)
    if receipt is not None and receipt.read_at is None:
        # Opening the notice is reading it: the receipt is recorded once, before the page shows it.
        services.notice_mark_read(actor=request.user, notice_id=notice.pk)
        receipt.refresh_from_db(fields=["read_at"])
    return render(request, "notices/notice_detail.html", _detail_context(request, notice, receipt))


@login_required
@require_POST
def notice_publish(request, pk: int):
    notice = selectors.notice_detail(request.user, pk)
    if notice is None:
        raise Http404
    try:
        notice = services.notice_publish(actor=request.user, notice_id=pk)
    except InvalidTransition as e:
        messages.error(request, e.reason)
        notice = selectors.notice_detail(request.user, pk)
        context = _detail_context(request, notice, selectors.receipt_of(request.user, notice))
        return render(request, "notices/notice_detail.html", context, status=e.status)
    n = notice.recipients.count()
    messages.success(request, ngettext("通报已发布，送达 %(n)s 人。", "通报已发布，送达 %(n)s 人。", n) % {"n": n})
    return redirect("notices:detail", pk)


@login_required
def unread_badge(request):
    """The navigation's unread count, loaded by htmx after the page, so that no page pays for it."""
    n = selectors.unread_count(request.user)
    return render(request, "notices/_unread_badge.html", {"n": n})


@login_required
def notice_receipts(request, pk: int):
    """The read receipts card, polled by htmx on the sender's page: the read rate as it changes."""
    notice = selectors.notice_detail(request.user, pk)
    if notice is None or not notice.is_published or not access.can_follow_up(request.user, notice):
        raise Http404
    return render(request, "notices/_receipts.html", _receipts_context(request, notice))


@login_required
@require_POST
def notice_urge(request, pk: int):
    """催阅: remind everyone who has not read the notice (each at most once a day)."""
    notice = selectors.notice_detail(request.user, pk)
    if notice is None:
        raise Http404
    try:
        reminded, already = services.notice_urge(actor=request.user, notice_id=pk)
    except InvalidTransition as e:
        if e.status == 403:
            return refuse(request, e.reason)
        messages.error(request, e.reason)
        return redirect("notices:detail", pk)
    text = _("已向 %(n)s 位未读人员发出催阅提醒。") % {"n": reminded}
    if already:
        text += _("另有 %(n)s 人今天已催阅过，不再重复提醒。") % {"n": already}
    messages.success(request, text)
    return redirect("notices:detail", pk)
