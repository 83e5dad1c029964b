"""The review chain's own steps on the item page: 会签 asked by the leader in charge, and answered."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import InvalidTransition, forbidden
from decisions import access, selectors
from decisions.forms_review import CountersignAnswerForm, CountersignForm
from decisions.services.review import review_countersign, review_countersign_answer


def _refused(request, item, e: InvalidTransition, **forms):
    from decisions.views import _detail_context

    messages.error(request, e.reason)
    context = _detail_context(request, item)
    context.update(forms)
    return render(request, "decisions/item_detail.html", context, status=e.status)


@login_required
@require_POST
def countersign(request, pk: int):
    item = selectors.item_detail(request.user, pk)
    if item is None:
        raise Http404
    form = CountersignForm(request.POST, item=item)
    valid = form.is_valid()  # checked here, in the view: the refusal page shows the form, and a template runs no query
    try:
        review = access.current_review(item)
        reason = access.may_review(request.user, review, "countersign") if review else _("议题当前没有待办理的审批环节")
        if reason:
            raise forbidden(reason)
        if not valid:
            raise InvalidTransition(_("请检查会签表单中的错误"), status=400)
        review_countersign(
            actor=request.user, item_id=pk, departments=form.cleaned_data["departments"], note=form.cleaned_data["note"]
        )
    except InvalidTransition as e:
        return _refused(request, item, e, countersign_form=form)
    messages.success(request, _("已发起会签。"))
    return redirect("decisions:detail", pk)


@login_required
@require_POST
def countersign_answer(request, pk: int):
    item = selectors.item_detail(request.user, pk)
    if item is None:
        raise Http404
    form = CountersignAnswerForm(request.POST)
    valid = form.is_valid()  # in the view, before any refusal page shows the form
    try:
        review = access.current_review(item)
        if review is None or access.countersign_pending_for(request.user, review) is None:
            raise forbidden(_("您所在部门没有待办的会签"))
        if not valid:
            raise InvalidTransition(_("请填写会签意见"), status=400)
        review_countersign_answer(actor=request.user, item_id=pk, opinion=form.cleaned_data["opinion"])
    except InvalidTransition as e:
        return _refused(request, item, e, countersign_answer_form=form)
    messages.success(request, _("会签意见已提交。"))
    return redirect("decisions:detail", pk)
