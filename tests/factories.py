"""Agenda items at any stage, built through the services so their history is real."""

from datetime import timedelta

import factory
from django.utils import timezone

from decisions import services
from decisions.models import Category, State
from org.models import MeetingBody, User


def body(code: str) -> MeetingBody:
    return MeetingBody.objects.get(code=code)


class ItemFields(factory.DictFactory):
    title = factory.Sequence(lambda n: f"关于第{n}号事项的请示")
    category = Category.DECISION
    background = "背景：现行做法需要调整。"
    proposal = "方案：按新办法执行。"
    amount = None
    major_kind = ""
    confidential = False


def draft(submitter: User, *, body_code: str = "PC", **fields):
    data = ItemFields(**fields)
    return services.item_create(actor=submitter, requested_body=body(body_code), **data)


MEETING_STATES = {State.SCHEDULED, State.RESOLVED, State.NOT_PASSED, State.NOTED}


def at_state(state: str, *, submitter: User, consultees=(), body_code: str = "PC", **fields):
    """An item brought to `state` by the real steps. Consulting needs named consultees."""
    if state == State.CLOSED:
        item = _through_meeting(
            State.RESOLVED, submitter=submitter, consultees=consultees, body_code=body_code, **fields
        )
        closed_task(resolution_task(item.resolutions.get()))
        return _fresh(item)
    if state in MEETING_STATES:
        return _through_meeting(state, submitter=submitter, consultees=consultees, body_code=body_code, **fields)
    item = draft(submitter, body_code=body_code, **fields)
    if state == State.DRAFT:
        return item
    services.item_submit(actor=submitter, item_id=item.pk)
    item.refresh_from_db()
    if state in (State.DEPT_REVIEW, State.SCREENING) and item.state == state:
        return item
    head = User.objects.filter(role_assignments__role="dept_head", role_assignments__department=item.department).first()
    if item.state == State.DEPT_REVIEW:
        if state == State.RETURNED:
            services.item_dept_return(actor=head, item_id=item.pk, reason="材料不全")
            return _fresh(item)
        services.item_dept_approve(actor=head, item_id=item.pk)
    if state == State.SCREENING:
        return _fresh(item)
    screener = item.requested_body.chair
    if state == State.REJECTED:
        services.item_screen_reject(actor=screener, item_id=item.pk, reason="不属于会议研究范围")
        return _fresh(item)
    if state == State.READY and not consultees:
        services.item_screen_accept(actor=screener, item_id=item.pk, consultees=[])
        return _fresh(item)
    services.item_screen_accept(actor=screener, item_id=item.pk, consultees=list(consultees))
    if state == State.CONSULTING:
        return _fresh(item)
    if state == State.REVISING:
        services.item_consult_answer(actor=consultees[0], item_id=item.pk, agree=False, text="请补充比价材料")
        return _fresh(item)
    if state == State.READY:
        for c in consultees:
            services.item_consult_answer(actor=c, item_id=item.pk, agree=True)
        return _fresh(item)
    if state == State.WITHDRAWN:
        services.item_withdraw(actor=submitter, item_id=item.pk, reason="情况变化")
        return _fresh(item)
    raise ValueError(state)


def _fresh(item):
    item.refresh_from_db()
    return item


def organizer_of(code: str) -> User:
    return User.objects.get(username="partyoffice" if code == "PC" else "affairsoffice")


def meeting_for(code: str = "PC", *, days_ahead: int = 3, **kwargs):
    """A planned meeting of `code`, far enough ahead that no materials deadline has passed."""
    from meetings import services as meeting_services

    return meeting_services.meeting_schedule(
        actor=organizer_of(code),
        body=body(code),
        starts_at=timezone.now() + timedelta(days=days_ahead),
        place="行政楼第一会议室",
        **kwargs,
    )


def running_meeting(items, code: str = "PC", *, absent=()):
    """A meeting with `items` on its agenda, published, opened, every member marked present
    except the usernames in `absent`. Returns (meeting, entries)."""
    from meetings import services as meeting_services

    meeting = meeting_for(code)
    organizer = organizer_of(code)
    entries = [meeting_services.agenda_add(actor=organizer, meeting_id=meeting.pk, item_id=i.pk) for i in items]
    for item in items:
        with_materials(item)
    meeting_services.meeting_publish(actor=organizer, meeting_id=meeting.pk)
    meeting_services.meeting_open(actor=organizer, meeting_id=meeting.pk)
    for a in meeting.attendance.select_related("person"):
        away = a.person.username in absent
        meeting_services.attendance_mark(
            actor=organizer,
            meeting_id=meeting.pk,
            person_id=a.person_id,
            present=not away,
            reason="出差" if away else "",
        )
    return meeting, entries


def all_opinions(entry, meeting, stance="agree"):
    """Every present, non-recused member states an opinion, the chair last."""
    from meetings import services as meeting_services

    facts = meeting_services.entry_facts(entry, meeting)
    order = sorted(facts["present"], key=lambda pk: pk == meeting.chair_id)
    organizer = organizer_of(meeting.body.code)
    for pk in order:
        meeting_services.opinion_record(actor=organizer, entry_id=entry.pk, member_id=pk, stance=stance)


def vote_all(entry, meeting, choice="for"):
    from meetings import services as meeting_services

    organizer = organizer_of(meeting.body.code)
    meeting_services.vote_open(actor=organizer, entry_id=entry.pk)
    for pk in meeting_services.entry_facts(entry, meeting)["present"]:
        meeting_services.vote_cast(actor=User.objects.get(pk=pk), entry_id=entry.pk, choice=choice)
    meeting_services.vote_close(actor=organizer, entry_id=entry.pk)


def _through_meeting(state: str, *, submitter: User, consultees=(), body_code: str = "PC", **fields):
    from meetings import services as meeting_services

    if state == State.NOTED:
        fields.setdefault("category", Category.STUDY)
    consultees = list(consultees) or [User.objects.get(username="member1")]
    if fields.get("category") in (Category.STUDY, Category.REPORT, Category.BRIEFING) and not fields.get("major_kind"):
        consultees = []
    item = at_state(State.READY, submitter=submitter, consultees=consultees, body_code=body_code, **fields)
    if state == State.SCHEDULED:
        meeting = meeting_for(body_code)
        meeting_services.agenda_add(actor=organizer_of(body_code), meeting_id=meeting.pk, item_id=item.pk)
        return _fresh(item)
    meeting, (entry,) = running_meeting([item], body_code)
    organizer = organizer_of(body_code)
    if state == State.NOTED:
        meeting_services.entry_decide(actor=organizer, entry_id=entry.pk, outcome="noted")
        return _fresh(item)
    all_opinions(entry, meeting)
    if item.major_kind:
        vote_all(entry, meeting, "for" if state == State.RESOLVED else "against")
    outcome = "passed" if state == State.RESOLVED else "not_passed"
    meeting_services.entry_decide(actor=organizer, entry_id=entry.pk, outcome=outcome)
    return _fresh(item)


def with_materials(item):
    """The submitter hands in the meeting materials (without them the item leaves the agenda)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    if not item.attachments.filter(removed_at__isnull=True).exists():
        upload = SimpleUploadedFile("会议材料.pdf", b"%PDF-1.4 materials", content_type="application/pdf")
        services.attachment_add(actor=item.submitter, item_id=item.pk, upload=upload)
    return item


# --- supervision ---------------------------------------------------------------------------------


def evidence_file(name: str = "佐证材料.pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, b"%PDF-1.4 evidence", content_type="application/pdf")


def resolution_task(
    resolution, *, track: str = "task", department: str = "教务处", days: int = 30, milestones=(), **kw
):
    """A task on `resolution`, handed out by the discipline committee （纪委） to `department`,
    with member1 （副校长） as the responsible leader."""
    from org.models import Department
    from supervision import services as supervision_services

    deadline = timezone.localdate() + timedelta(days=days)
    return supervision_services.task_create(
        actor=kw.pop("actor", None) or User.objects.get(username="discipline"),
        resolution_id=resolution.pk,
        track=track,
        title=kw.pop("title", f"落实{resolution.number}"),
        lead_department_id=Department.objects.get(name=department).pk,
        responsible_leader_id=kw.pop("leader", None) or User.objects.get(username="member1").pk,
        deadline=deadline,
        milestones=[supervision_services.MilestoneSpec(*m) for m in milestones],
        **kw,
    )


def supervisor_of(task) -> User:
    from supervision.models import TRACK_SUPERVISOR_ROLES

    return User.objects.filter(role_assignments__role=TRACK_SUPERVISOR_ROLES[task.track]).first()


def head_of(task) -> User:
    return User.objects.filter(
        role_assignments__role="dept_head", role_assignments__department=task.lead_department_id
    ).first()


def reported_task(task, *, final: bool = False, text: str = "已按计划推进。"):
    from supervision import services as supervision_services

    files = [evidence_file()] if final else []
    supervision_services.task_report(actor=head_of(task), task_id=task.pk, text=text, is_final=final, files=files)
    task.refresh_from_db()
    return task


def closed_task(task):
    from supervision import services as supervision_services

    reported_task(task, final=True, text="已全部完成，见佐证材料。")
    supervision_services.task_review(actor=supervisor_of(task), task_id=task.pk, decision="close", comment="同意办结")
    task.refresh_from_db()
    return task
