"""Reads about the study records (第一议题, 中心组学习): one record with its people, and the
year's figures per body and per person, each in a fixed number of queries whatever the year holds
(the seed's school: 38 sessions, 773 person-times, 225 reflections)."""

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet

from meetings import access
from meetings.models import Reflection, StudyParticipant, StudySession
from org.models import MeetingBody, User


def study_detail(user: User, pk: int) -> StudySession | None:
    return (
        StudySession.objects.filter(access.study_visibility_filter(user), pk=pk)
        .select_related("meeting", "meeting__body", "body", "recorded_by", "entry", "entry__item")
        .prefetch_related(
            Prefetch("participants", queryset=StudyParticipant.objects.select_related("person").order_by("id")),
            Prefetch("reflections", queryset=Reflection.objects.select_related("author").order_by("submitted_at")),
        )
        .distinct()
        .first()
    )


@dataclass
class PersonLine:
    person: User
    sessions: int = 0
    reflections: int = 0


@dataclass
class BodyLine:
    body: MeetingBody
    sessions: int = 0
    person_times: int = 0
    reflections: int = 0


@dataclass
class StudyYear:
    year: int
    body: MeetingBody | None
    bodies: list[BodyLine] = field(default_factory=list)
    people: list[PersonLine] = field(default_factory=list)
    sessions: list[StudySession] = field(default_factory=list)
    sees_all: bool = False

    @property
    def totals(self) -> BodyLine:
        line = BodyLine(body=None)
        for b in self.bodies:
            line.sessions += b.sessions
            line.person_times += b.person_times
            line.reflections += b.reflections
        return line


def _sessions(year: int, body: MeetingBody | None) -> QuerySet[StudySession]:
    qs = StudySession.objects.filter(held_on__year=year)
    return qs.filter(body=body) if body is not None else qs


def study_year(user: User, year: int, body: MeetingBody | None = None) -> StudyYear:
    """The year's study per body and per person. Leaders and the offices see everyone; anyone
    else their own line and the sessions they took part in. Five queries."""
    sees_all = access.sees_all_study(user)
    result = StudyYear(year=year, body=body, sees_all=sees_all)
    sessions = _sessions(year, body)
    participants = StudyParticipant.objects.filter(session__in=sessions.values("pk"))
    reflections = Reflection.objects.filter(session__in=sessions.values("pk"))
    if not sees_all:
        participants = participants.filter(person=user)
        reflections = reflections.filter(author=user)
    if sees_all:
        per_body = {
            row["body"]: row
            for row in sessions.values("body").annotate(
                n=Count("pk", distinct=True),
                people=Count("participants", distinct=True),
                wrote=Count("reflections", distinct=True),
            )
        }
        for b in MeetingBody.objects.filter(pk__in=list(per_body)).order_by("sort_order", "code"):
            row = per_body[b.pk]
            result.bodies.append(BodyLine(b, row["n"], row["people"], row["wrote"]))
    attended = dict(participants.values_list("person").annotate(n=Count("pk")))
    wrote = dict(reflections.values_list("author").annotate(n=Count("pk")))
    ids = set(attended) | set(wrote)
    for person in User.objects.filter(pk__in=ids).select_related("department").order_by("department__sort_order", "pk"):
        result.people.append(PersonLine(person, attended.get(person.pk, 0), wrote.get(person.pk, 0)))
    visible = sessions if sees_all else sessions.filter(Q(participants__person=user)).distinct()
    result.sessions = list(
        visible.select_related("meeting", "body")
        .annotate(n_people=Count("participants", distinct=True), n_wrote=Count("reflections", distinct=True))
        .order_by("-held_on", "-pk")
    )
    return result


def study_bodies() -> list[MeetingBody]:
    """The bodies whose meetings study: those whose scope holds theory study."""
    return list(MeetingBody.objects.filter(scope_rules__category="study").order_by("sort_order", "code").distinct())
