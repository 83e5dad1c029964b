from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from core.errors import InvalidTransition
from core.files import served_type
from core.http import refuse
from core.pages import get_page
from decisions import access, selectors, services
from decisions.forms import CommentForm, ConsultAnswerForm, ItemForm, MaterialsForm, ReasonForm, ScreenAcceptForm
from decisions.forms_review import CountersignAnswerForm, CountersignForm
from decisions.models import STEPS, State

PAGE_SIZE = 20

# Steps that need a written reason: (step, button label, colour, confirmation or "").
REASON_ACTIONS = [
    ("dept_return", pgettext_lazy("button", "退回修改"), "warning", ""),
    ("screen_return", pgettext_lazy("button", "退回修改"), "warning", ""),
    ("screen_reject", pgettext_lazy("button", "不予上会"), "danger", gettext_lazy("确定不予上会？此操作不可撤销。")),
    ("resubmit", gettext_lazy("修改完毕，重新征求意见"), "primary", ""),
    ("withdraw", gettext_lazy("撤回议题"), "danger", gettext_lazy("确定撤回该议题？撤回后不能再提交。")),
]


def _page(request, qs):
    return get_page(qs, PAGE_SIZE, request.GET.get("page"))


def _list(request, qs, *, title: str, empty: str, template="decisions/item_list.html", extra=None):
    q, state = request.GET.get("q", ""), request.GET.get("state", "")
    page = _page(request, selectors.search(qs, q=q, state=state))
    context = {
        "page": page,
        "title": title,
        "empty": empty,
        "q": q,
        "state": state,
        "states": State.choices,
        **(extra or {}),
    }
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "results":
        template += "#results"
    return render(request, template, context)


@login_required
def mine(request):
    return _list(
        request,
        selectors.my_items(request.user),
        title=_("我的议题"),
        empty=_("您还没有提交过议题。点击“新建议题”起草第一份。"),
        extra={"show_new": True},
    )


@login_required
def all_items(request):
    return _list(
        request,
        selectors.visible_items(request.user),
        title=_("议题查阅"),
        empty=_("没有您可以查阅的议题。"),
    )


@login_required
def review_queue(request):
    if not access.can_use_review_queue(request.user):
        return refuse(request, _("只有部门负责人、校领导和两办可以使用审批待办"))
    return _list(
        request,
        selectors.review_queue(request.user),
        title=_("审批待办"),
        empty=_("暂无待您审阅、审核、审批或会签的议题。"),
    )


@login_required
def screening_queue(request):
    if not access.can_use_screening_queue(request.user):
        return refuse(request, _("只有会议主持人可以研判议题"))
    return _list(
        request,
        selectors.screening_queue(request.user),
        title=_("议题研判"),
        empty=_("暂无待研判的议题。部门审核通过的议题会出现在这里。"),
    )


@login_required
def consultation_inbox(request):
    if not access.can_use_consultation_inbox(request.user):
        return refuse(request, _("只有班子成员参加会前酝酿"))
    answered = request.GET.get("answered") == "1"
    page = _page(request, selectors.consultation_inbox(request.user, answered=answered))
    return render(request, "decisions/consultation_inbox.html", {"page": page, "answered": answered})


def _save_files(request, item, files) -> None:
    for f in files:
        services.attachment_add(actor=request.user, item_id=item.pk, upload=f)


@login_required
def item_new(request):
    form = ItemForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():  # the item and its files are saved together or not at all
                item = services.item_create(actor=request.user, **form.item_fields())
                _save_files(request, item, form.cleaned_data["files"])
        except InvalidTransition as e:
            form.add_error(None, e.reason)
            return render(request, "decisions/item_form.html", {"form": form}, status=e.status)
        if "submit" in request.POST:
            try:
                services.item_submit(actor=request.user, item_id=item.pk)
                messages.success(request, _("议题已提交。"))
            except InvalidTransition as e:
                messages.warning(request, _("草稿已保存，但未能提交：%(reason)s") % {"reason": e.reason})
        else:
            messages.success(request, _("草稿已保存。"))
        return redirect("decisions:detail", item.pk)
    return render(request, "decisions/item_form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def item_edit(request, pk: int):
    item = selectors.item_detail(request.user, pk)
    if item is None:
        raise Http404
    if "edit" not in access.actions_for(request.user, item):
        messages.error(request, _("议题当前状态为“%(state)s”，您不能修改。") % {"state": item.get_state_display()})
        return render(request, "decisions/item_detail.html", _detail_context(request, item), status=403)
    services.item_viewed(actor=request.user, item=item)
    form = ItemForm(request.POST or None, request.FILES or None, instance=item, initial={"version": item.version})
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                services.item_update(
                    actor=request.user, item_id=item.pk, version=form.cleaned_data["version"] or 0, **form.item_fields()
                )
                _save_files(request, item, form.cleaned_data["files"])
        except InvalidTransition as e:
            form.add_error(None, e.reason)
            return render(request, "decisions/item_form.html", {"form": form, "item": item}, status=e.status)
        messages.success(request, _("修改已保存。"))
        return redirect("decisions:detail", item.pk)
    return render(request, "decisions/item_form.html", {"form": form, "item": item}, status=400 if form.errors else 200)


def _detail_context(request, item, **forms):
    """Everything the item page shows. Showing it is a view of the item, logged if confidential."""
    services.item_viewed(actor=request.user, item=item)
    actions = access.actions_for(request.user, item)
    review = access.current_review(item)
    context = {
        "item": item,
        "actions": actions,
        "history": selectors.item_history(item),
        "steps": STEPS,
        "reason_form": ReasonForm(),
        "comment_form": CommentForm(),
        "materials_form": MaterialsForm() if "attach" in actions and "edit" not in actions else None,
        "accept_form": ScreenAcceptForm(item=item, screener=request.user) if "screen_accept" in actions else None,
        "answer_form": ConsultAnswerForm() if "consult_answer" in actions else None,
        "rounds": _rounds(item),
        "chain": selectors.item_chain(item),
        "review": review,
        "countersign_form": CountersignForm(item=item)
        if review
        and review.state == review.State.PENDING
        and access.may_review(request.user, review, "countersign") is None
        else None,
        "countersign_answer_form": CountersignAnswerForm()
        if review and access.countersign_pending_for(request.user, review)
        else None,
        "reason_actions": REASON_ACTIONS,
        "views": list(selectors.item_views(item)[:50]) if item.confidential and request.user.is_leader else None,
    }
    context.update(forms)
    return context


def _rounds(item):
    rounds: dict[int, list] = {}
    for c in item.consultations.all():
        rounds.setdefault(c.round, []).append(c)
    return sorted(rounds.items(), reverse=True)


@login_required
def item_detail(request, pk: int):
    item = selectors.item_detail(request.user, pk)
    if item is None:
        raise Http404
    return render(request, "decisions/item_detail.html", _detail_context(request, item))


@login_required
@require_POST
def item_act(request, pk: int, step: str):
    """One endpoint per step; the service decides whether it may happen."""
    item = selectors.item_detail(request.user, pk)
    if item is None:
        raise Http404
    if step not in STEPS:
        raise Http404
    forms = {}
    try:
        # Who is asking first (403), then the form (400), then the state (409, by the service).
        # (A consultee is someone with an answer pending in this round: outside 会前酝酿 the
        # state is what refuses, and the service says so.)
        if step != "consult_answer":
            access.check(request.user, item, step)
        elif item.state in STEPS[step].sources:
            access.check(
                request.user, item, step, pending_consultation=access.pending_consultation_for(request.user, item)
            )
        if step == "submit":
            services.item_submit(actor=request.user, item_id=pk)
        elif step in ("dept_approve",):
            form = CommentForm(request.POST)
            form.is_valid()
            services.item_dept_approve(actor=request.user, item_id=pk, comment=form.cleaned_data.get("comment", ""))
        elif step == "screen_accept":
            form = ScreenAcceptForm(request.POST, item=item, screener=request.user)
            forms["accept_form"] = form
            if not form.is_valid():
                raise InvalidTransition(_("请检查研判表单中的错误"), status=400)
            services.item_screen_accept(
                actor=request.user,
                item_id=pk,
                consultees=form.cleaned_data["consultees"],
                comment=form.cleaned_data["comment"],
            )
        elif step == "consult_answer":
            form = ConsultAnswerForm(request.POST)
            forms["answer_form"] = form
            if not form.is_valid():
                raise InvalidTransition(_("请检查意见表单中的错误"), status=400)
            services.item_consult_answer(
                actor=request.user,
                item_id=pk,
                agree=form.cleaned_data["answer"] == "agree",
                text=form.cleaned_data["text"],
            )
        else:
            form = ReasonForm(request.POST)
            forms["reason_form"] = form
            forms["reason_step"] = step
            if form.is_valid():
                reason = form.cleaned_data["reason"]
            elif form.has_error("reason", "required") or form.has_error("reason", "blank"):
                reason = ""  # the step says in its own words that it needs a reason (409)
            else:
                raise InvalidTransition(_("请检查理由中的错误"), status=400)
            action = {
                "dept_return": services.item_dept_return,
                "screen_return": services.item_screen_return,
                "screen_reject": services.item_screen_reject,
                "resubmit": services.item_resubmit,
                "withdraw": services.item_withdraw,
            }[step]
            action(actor=request.user, item_id=pk, reason=reason)
    except InvalidTransition as e:
        messages.error(request, e.reason)
        item = selectors.item_detail(request.user, pk)
        context = _detail_context(request, item)
        context.update({k: v for k, v in forms.items() if context.get(k) is not None or k == "reason_step"})
        return render(request, "decisions/item_detail.html", context, status=e.status)
    messages.success(request, _("已%(step)s。") % {"step": STEPS[step].label})
    return redirect("decisions:detail", pk)


@login_required
def attachment_download(request, pk: int):
    attachment = selectors.visible_attachment(request.user, pk)
    if attachment is None:
        raise Http404
    services.item_viewed(actor=request.user, item=attachment.item)
    return FileResponse(
        attachment.file.open("rb"), as_attachment=True, filename=attachment.name, content_type=served_type(attachment)
    )


@login_required
@require_POST
def item_attach(request, pk: int):
    """补充会议材料： the submitter adds files to a ready or scheduled item."""
    item = selectors.item_detail(request.user, pk)
    if item is None:
        raise Http404
    form = MaterialsForm(request.POST, request.FILES)
    try:
        access.check(request.user, item, "edit")  # who is asking, before the form
        if not form.is_valid():
            raise InvalidTransition(" ".join(e for errors in form.errors.values() for e in errors), status=400)
        with transaction.atomic():
            _save_files(request, item, form.cleaned_data["files"])
    except InvalidTransition as e:
        messages.error(request, e.reason)
        return render(request, "decisions/item_detail.html", _detail_context(request, item), status=e.status)
    messages.success(request, _("已上传 %(n)s 份材料。") % {"n": len(form.cleaned_data["files"])})
    return redirect("decisions:detail", pk)


@login_required
@require_POST
def attachment_remove(request, pk: int):
    attachment = selectors.visible_attachment(request.user, pk)
    if attachment is None:
        raise Http404
    try:
        services.attachment_remove(actor=request.user, attachment_id=pk)
    except InvalidTransition as e:
        messages.error(request, e.reason)
        item = selectors.item_detail(request.user, attachment.item_id)
        return render(request, "decisions/item_detail.html", _detail_context(request, item), status=e.status)
    messages.success(request, _("附件“%(name)s”已撤下（仍保留在操作记录中）。") % {"name": attachment.name})
    return redirect("decisions:detail", attachment.item_id)
