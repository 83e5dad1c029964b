from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from core.forms import NotificationSettingsForm
from core.models import Notification
from core.pages import get_page


@login_required
def notification_list(request):
    qs = Notification.objects.filter(recipient=request.user)
    page = get_page(qs, 20, request.GET.get("page"))
    return render(request, "core/notification_list.html", {"page": page})


@login_required
@require_POST
def notification_read_all(request):
    n = Notification.objects.filter(recipient=request.user, read_at__isnull=True).update(read_at=timezone.now())
    messages.success(request, ngettext("已将 %(n)s 条通知标为已读。", "已将 %(n)s 条通知标为已读。", n) % {"n": n})
    return redirect("notifications")


@login_required
@require_POST
def notification_open(request, pk: int):
    """Open a notification: it is read, and the page it points to is shown."""
    note = get_object_or_404(Notification, pk=pk, recipient=request.user)
    Notification.objects.filter(pk=note.pk, read_at__isnull=True).update(read_at=timezone.now())
    if note.url and url_has_allowed_host_and_scheme(note.url, allowed_hosts={request.get_host()}):
        return redirect(note.url)
    return redirect("notifications")


@login_required
def notification_settings(request):
    """E-mail reminders on or off, per person."""
    user = request.user
    if request.method == "POST":
        form = NotificationSettingsForm(request.POST)
        form.is_valid()  # one check box: always valid
        user.email_reminders = form.cleaned_data["email_reminders"]
        user.save(update_fields=["email_reminders"])
        messages.success(
            request, _("已开启邮件提醒。") if user.email_reminders else _("已关闭邮件提醒，仍会收到站内通知。")
        )
        return redirect("notification_settings")
    return render(request, "core/notification_settings.html", {"person": user})
