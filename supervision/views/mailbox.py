from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.errors import InvalidTransition
from core.http import refuse
from core.pages import get_page
from supervision import access, selectors, services
from supervision.forms import ForwardForm, LetterForm, ReplyForm
from supervision.models import Task
from supervision.services.calendar import school_today

PAGE_SIZE = 20


@login_required
def letter_list(request):
    """书记信箱： my letters; the secretary and the party office also have every letter."""
    box = request.GET.get("box", "")
    answerer = access.can_answer(request.user)
    if box == "all" and not answerer:
        return refuse(request, _("只有党委书记或党委办公室可以查看全部来信"))
    context = {"box": box, "answerer": answerer}
    heads = bool(request.user.headed_department_ids)
    context["heads"] = heads
    if box == "all":
        qs = selectors.all_letters(request.user)
        replied, total = selectors.reply_rate()
        timely = selectors.on_time_counts(school_today())
        context.update(
            replied=replied,
            total=total,
            rate=selectors.percent(replied, total),
            timely=timely,
            timely_rate=selectors.percent(timely["on_time"], timely["judged"]),
        )
    elif box == "forwarded" and heads:
        qs = selectors.forwarded_letters(request.user)
    else:
        box, qs = "", selectors.my_letters(request.user)
        context["box"] = box
    context["page"] = get_page(qs, PAGE_SIZE, request.GET.get("page"))
    return render(request, "supervision/letter_list.html", context)


@login_required
def letter_new(request):
    form = LetterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            letter = services.letter_write(actor=request.user, subject=d["subject"], body=d["body"])
        except InvalidTransition as e:
            form.add_error(None, e.reason)
            return render(request, "supervision/letter_form.html", {"form": form}, status=e.status)
        messages.success(request, _("来信已送达书记信箱，回复后会通知您。"))
        return redirect("mailbox:detail", letter.pk)
    return render(request, "supervision/letter_form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def letter_detail(request, pk: int):
    letter = selectors.letter_detail(request.user, pk)
    if letter is None:
        raise Http404
    can_reply = access.can_reply_letter(request.user, letter)
    form = ReplyForm(request.POST or None) if can_reply else None
    status = 200
    if request.method == "POST":
        if not can_reply:
            return refuse(request, _("只有党委书记、党委办公室或来信转交部门的负责人可以回复来信"))
        if form.is_valid():
            try:
                services.letter_reply(actor=request.user, letter_id=letter.pk, body=form.cleaned_data["body"])
            except InvalidTransition as e:
                form.add_error(None, e.reason)
                status = e.status
            else:
                messages.success(request, _("回复已发送，写信人会收到通知。"))
                return redirect("mailbox:detail", letter.pk)
        else:
            status = 400
    context = {
        "letter": letter,
        "form": form,
        "can_reply": can_reply,
        "sees_writer": access.sees_letter_writer(request.user, letter),
        "forward_form": ForwardForm() if access.can_forward_letter(request.user) else None,
        "can_make_task": access.can_create_task(request.user, "letter"),
        "tasks": _tasks_from(request.user, letter),
    }
    return render(request, "supervision/letter_detail.html", context, status=status)


def _tasks_from(user, letter) -> list[Task]:
    """The tasks made from the letter; `linked` when `user` may open the task's page. Whoever
    may read the letter (its author included) sees that it became a task and how far it is."""
    tasks = list(Task.objects.filter(letter=letter).select_related("lead_department").order_by("id"))
    if tasks:
        visible = set(selectors.visible_tasks(user).filter(letter=letter).values_list("pk", flat=True))
        for task in tasks:
            task.linked = task.pk in visible
    return tasks


@login_required
def letter_forward(request, pk: int):
    """转办: the secretary or the party office hands the letter to a department."""
    letter = selectors.letter_detail(request.user, pk)
    if letter is None:
        raise Http404
    if request.method != "POST":
        return redirect("mailbox:detail", letter.pk)
    if not access.can_forward_letter(request.user):
        return refuse(request, _("只有党委书记或党委办公室可以转办来信"))
    form = ForwardForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.letter_forward(
                actor=request.user, letter_id=letter.pk, department_id=d["department"].pk, note=d["note"]
            )
        except InvalidTransition as e:
            messages.error(request, e.reason)
        else:
            messages.success(
                request, _("来信已转交%(dept)s办理，写信人的身份不随信转交。") % {"dept": d["department"].name}
            )
        return redirect("mailbox:detail", letter.pk)
    context = {
        "letter": letter,
        "form": ReplyForm(),
        "can_reply": True,
        "sees_writer": access.sees_letter_writer(request.user, letter),
        "forward_form": form,
        "can_make_task": access.can_create_task(request.user, "letter"),
        "tasks": _tasks_from(request.user, letter),
    }
    return render(request, "supervision/letter_detail.html", context, status=400)
