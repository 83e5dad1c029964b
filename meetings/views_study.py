"""The study pages (第一议题, 中心组学习): record a meeting's study, a record with its
reflections, and the year's figures with their export."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.errors import InvalidTransition
from core.http import refuse
from meetings import access, selectors
from meetings.forms_study import ReflectionForm, StudyForm, StudyYearForm, TextsForm
from meetings.selectors_study import study_bodies, study_detail, study_year
from meetings.services import study as services
from meetings.transitions import STUDY_TRANSITIONS
from org.models import MeetingBody

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def study_new(request, pk: int):
    meeting = selectors.meeting_detail(request.user, pk)
    if meeting is None:
        raise Http404
    if not access.runs(request.user, meeting):
        return refuse(request, _("只有会议主持人、记录人或会务部门可以记录学习"))
    people = [a.person for a in meeting.attendance.all()]
    present = [a.person_id for a in meeting.attendance.all() if a.status == "present"]
    form = StudyForm(request.POST or None, people=people, initial={"participants": present})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                session = services.study_record(
                    actor=request.user,
                    meeting_id=meeting.pk,
                    texts=form.cleaned_data["texts"],
                    participant_ids=form.cleaned_data["participants"],
                )
            except InvalidTransition as e:
                form.add_error(None, e.reason)
                status = e.status
            else:
                messages.success(request, _("学习记录已保存，参学人员可以提交心得体会。"))
                return redirect("meetings:study", session.pk)
        else:
            status = 400
    return render(request, "meetings/study_form.html", {"form": form, "meeting": meeting}, status=status)


def _context(request, session, **forms):
    user = request.user
    allowed = STUDY_TRANSITIONS.allowed_actions(user, session)
    wrote = {r.author_id for r in session.reflections.all()}
    missing = [p.person for p in session.participants.all() if p.person_id not in wrote]
    return {
        "session": session,
        "can_reflect": "reflect" in allowed and user.pk not in wrote,
        "can_archive": "archive" in allowed,
        "can_edit": "texts" in allowed,
        "missing": missing,
        "reflection_form": forms.get("reflection_form") or ReflectionForm(),
        "texts_form": forms.get("texts_form")
        or TextsForm(initial={"texts": session.texts, "version": session.version}),
    }


@login_required
def study_page(request, pk: int):
    session = study_detail(request.user, pk)
    if session is None:
        raise Http404
    return render(request, "meetings/study_detail.html", _context(request, session))


STUDY_FORMS = {"reflect": ReflectionForm, "texts": TextsForm, "archive": None}
DONE = {
    "reflect": gettext_lazy("心得体会已提交。"),
    "texts": gettext_lazy("学习篇目已修改。"),
    "archive": gettext_lazy("学习记录已归档。"),
}


@login_required
@require_POST
def study_act(request, pk: int, action: str):
    session = study_detail(request.user, pk)
    if session is None or action not in STUDY_FORMS:
        raise Http404
    # Who is asking (403) before what was sent (400) and the record's state (409).
    step = {"reflect": "reflect", "texts": "texts", "archive": "archive"}[action]
    reason = STUDY_TRANSITIONS.who_refuses(request.user, session, step)
    if reason:
        messages.error(request, reason)
        return render(request, "meetings/study_detail.html", _context(request, session), status=403)
    form_class = STUDY_FORMS[action]
    form = form_class(request.POST) if form_class else None
    forms = {"reflection_form": form} if action == "reflect" else {"texts_form": form} if action == "texts" else {}
    if form is not None and not form.is_valid():
        return render(request, "meetings/study_detail.html", _context(request, session, **forms), status=400)
    data = form.cleaned_data if form is not None else {}
    try:
        if action == "reflect":
            services.reflection_submit(actor=request.user, session_id=pk, text=data["text"])
        elif action == "texts":
            services.study_texts_edit(actor=request.user, session_id=pk, texts=data["texts"], version=data["version"])
        else:
            services.study_archive(actor=request.user, session_id=pk)
    except InvalidTransition as e:
        messages.error(request, e.reason)
        return render(
            request,
            "meetings/study_detail.html",
            _context(request, study_detail(request.user, pk), **forms),
            status=e.status,
        )
    messages.success(request, str(DONE[action]))
    return redirect("meetings:study", pk)


def _year_report(request):
    bodies = study_bodies()
    form = StudyYearForm(request.GET or None, bodies=bodies)
    year, body = timezone.localdate().year, None
    if form.is_valid():
        year = form.cleaned_data["year"] or year
        pk = form.cleaned_data["body"]
        body = next((b for b in bodies if b.pk == pk), None)
    return form, study_year(request.user, year, body)


@login_required
def study_year_page(request):
    form, report = _year_report(request)
    return render(request, "meetings/study_year.html", {"form": form, "report": report})


@login_required
def study_year_xlsx(request):
    from meetings.study_excel import study_year_xlsx as render_xlsx

    _form, report = _year_report(request)
    response = HttpResponse(render_xlsx(report), content_type=XLSX)
    suffix = f"-{report.body.code}" if isinstance(report.body, MeetingBody) else ""
    response["Content-Disposition"] = f'attachment; filename="study-{report.year}{suffix}.xlsx"'
    return response
