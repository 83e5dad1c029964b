"""Reads about meetings, with their related rows fetched in a fixed number of queries."""

from dataclasses import dataclass, field

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Prefetch, QuerySet

from decisions.models import Attachment, MajorKind
from meetings import access, rules
from meetings.models import (
    AgendaEntry,
    Attendance,
    AttendanceCorrection,
    BallotCast,
    Meeting,
    Minutes,
    Opinion,
    Recusal,
    Vote,
)
from org.models import User


def meetings_for(user: User) -> QuerySet[Meeting]:
    return access.visible_meetings(user).select_related("body", "chair", "secretary").order_by("-starts_at", "-id")


def _entries_qs():
    return (
        AgendaEntry.objects.select_related(
            "item",
            "item__requested_body",
            "item__department",
            "item__submitter",
            "resolution",
            "decided_by",
            "secret_ballot",
        )
        .prefetch_related(
            Prefetch(
                "opinions",
                queryset=Opinion.objects.select_related("member", "recorded_by").order_by("recorded_at", "id"),
            ),
            Prefetch("recusals", queryset=Recusal.objects.select_related("member")),
            Prefetch("votes", queryset=Vote.objects.select_related("member", "entered_by").order_by("cast_at", "id")),
            Prefetch("ballots_cast", queryset=BallotCast.objects.select_related("member").order_by("id")),
            # The materials count on the agenda: withdrawn attachments are not materials.
            Prefetch("item__attachments", queryset=Attachment.objects.filter(removed_at__isnull=True)),
        )
        .order_by("position", "id")
    )


def _with_record(qs: QuerySet[Meeting]) -> QuerySet[Meeting]:
    return qs.prefetch_related(
        Prefetch("attendance", queryset=Attendance.objects.select_related("person").order_by("kind", "id")),
        Prefetch("entries", queryset=_entries_qs()),
        Prefetch("minutes", queryset=Minutes.objects.order_by("id")),
    )


def meeting_detail(user: User, meeting_id: int) -> Meeting | None:
    return _with_record(meetings_for(user)).filter(pk=meeting_id).first()


def meeting_whole(meeting_id: int) -> Meeting:
    """A meeting with its full record, for no one in particular: what a job renders into a document
    of record (the caller has asked who may have it)."""
    return _with_record(Meeting.objects.select_related("body", "chair", "secretary")).get(pk=meeting_id)


def meeting_for_paper(user: User, meeting_id: int) -> Meeting | None:
    """The meeting (None if not visible) with what deciding who may have its documents needs: who
    attended, the items on the agenda (for their confidentiality) and its minutes. A stored
    document is served after these few queries, without the full record."""
    return (
        meetings_for(user)
        .prefetch_related(
            Prefetch("attendance", queryset=Attendance.objects.order_by("kind", "id")),
            Prefetch("entries", queryset=AgendaEntry.objects.select_related("item").order_by("position", "id")),
            Prefetch("minutes", queryset=Minutes.objects.order_by("id")),
        )
        .filter(pk=meeting_id)
        .first()
    )


def meeting_of_minutes(user: User, minutes_id: int) -> Meeting | None:
    """The meeting a set of minutes belongs to (None if not visible), with what the minutes page
    needs: who attended, the items on the agenda (for their confidentiality) and all its minutes.
    Not the opinions, votes and materials of the full record."""
    return (
        meetings_for(user)
        .prefetch_related(
            Prefetch("attendance", queryset=Attendance.objects.select_related("person").order_by("kind", "id")),
            Prefetch("entries", queryset=AgendaEntry.objects.select_related("item")),
            Prefetch("minutes", queryset=Minutes.objects.order_by("id")),
        )
        .filter(minutes__pk=minutes_id)
        .first()
    )


@dataclass
class EntryRow:
    entry: AgendaEntry
    facts: dict
    opinions: list
    recusals: list
    votes: list
    tally: rules.Tally | None
    passed: bool | None
    waiting_opinions: list = field(default_factory=list)
    # Every row written, corrected ones too: the item's history.
    opinion_history: list = field(default_factory=list)
    vote_history: list = field(default_factory=list)
    # Ballots cast so far: named, entered or secret (who has voted, never how in a secret ballot).
    cast: list = field(default_factory=list)


@dataclass
class MeetingRecord:
    meeting: Meeting
    present_members: list
    absent_members: list
    unknown_members: list
    observers: list
    entries: list
    dropped: list

    @property
    def members_total(self) -> int:
        return len(self.present_members) + len(self.absent_members) + len(self.unknown_members)


def build_record(meeting: Meeting) -> MeetingRecord:
    """Everything the meeting page, the minutes draft and the archive PDF show, from prefetched rows."""
    attendance = list(meeting.attendance.all())
    members = [a for a in attendance if a.kind == Attendance.Kind.MEMBER]
    live, dropped = [], []
    people = {a.person_id: a.person for a in attendance}
    for entry in meeting.entries.all():
        if entry.dropped_at:
            dropped.append(entry)
            continue
        facts = entry_facts(entry, meeting)
        votes = current(entry.votes.all())
        opinions = current(entry.opinions.all())
        t = None
        passed = None
        if entry.vote_state == AgendaEntry.VoteState.CLOSED:
            # Ballots are secret until the vote closes; a vote never closed has no result to show.
            t = tally(entry, facts)
            passed = rules.vote_passes(meeting.body, t)
        given = {o.member_id for o in opinions}
        order = access.speaking_order(meeting, facts["present"])
        live.append(
            EntryRow(
                entry=entry,
                facts=facts,
                opinions=opinions,
                recusals=list(entry.recusals.all()),
                votes=votes,
                tally=t,
                passed=passed,
                waiting_opinions=[people[p] for p in order if p not in given and p in people],
                opinion_history=_corrections(entry.opinions.all()),
                vote_history=_corrections(entry.votes.all()),
                cast=[b.member for b in entry.ballots_cast.all()] if entry.vote_mode == "secret" else votes,
            )
        )
    return MeetingRecord(
        meeting=meeting,
        present_members=[a for a in members if a.status == Attendance.Status.PRESENT],
        absent_members=[a for a in members if a.status == Attendance.Status.ABSENT],
        unknown_members=[a for a in members if a.status == Attendance.Status.UNKNOWN],
        observers=[a for a in attendance if a.kind == Attendance.Kind.OBSERVER],
        entries=live,
        dropped=dropped,
    )


def meeting_record(meeting_id: int) -> MeetingRecord:
    meeting = (
        Meeting.objects.select_related("body", "chair", "secretary")
        .prefetch_related(
            Prefetch("attendance", queryset=Attendance.objects.select_related("person").order_by("kind", "id")),
            Prefetch("entries", queryset=_entries_qs()),
        )
        .get(pk=meeting_id)
    )
    return build_record(meeting)


def entry_facts(entry: AgendaEntry, meeting: Meeting) -> dict:
    """Who counts on this item: members present and should-attend, less those recused."""
    attendance = list(meeting.attendance.all())
    recused = {r.member_id for r in entry.recusals.all()}
    members = [a for a in attendance if a.kind == Attendance.Kind.MEMBER]
    should = [a.person_id for a in members if a.person_id not in recused]
    present = [a.person_id for a in members if a.status == Attendance.Status.PRESENT and a.person_id not in recused]
    appointment = entry.item.major_kind == MajorKind.APPOINTMENT
    return {
        "should_attend": should,
        "present": present,
        "recused": recused,
        "appointment": appointment,
        "quorum": rules.quorum_met(
            meeting.body, present=len(present), should_attend=len(should), appointment=appointment
        ),
    }


def current(rows) -> list:
    """The rows that stand: those no later row corrects (an opinion or an entered vote)."""
    rows = list(rows)
    corrected = {r.corrects_id for r in rows if r.corrects_id}
    return [r for r in rows if r.pk not in corrected]


def _corrections(rows) -> list:
    """The correcting rows, each with the row it corrects attached (from the same prefetch)."""
    rows = list(rows)
    by_pk = {r.pk: r for r in rows}
    later = [r for r in rows if r.corrects_id]
    for r in later:
        r.corrects = by_pk[r.corrects_id]
    return later


def attendance_corrections(meeting: Meeting) -> list[AttendanceCorrection]:
    return list(
        AttendanceCorrection.objects.filter(meeting=meeting).select_related("person", "recorded_by", "entry__item")
    )


def tally(entry: AgendaEntry, facts: dict) -> rules.Tally:
    if entry.vote_mode == AgendaEntry.VoteMode.SECRET:
        # A secret ballot keeps the counts only.
        try:
            box = entry.secret_ballot
        except ObjectDoesNotExist:
            box = None
        return rules.Tally(
            should_attend=len(facts["should_attend"]),
            present=len(facts["present"]),
            votes_for=box.votes_for if box else 0,
            votes_against=box.votes_against if box else 0,
            votes_abstain=box.votes_abstain if box else 0,
        )
    choices = [v.choice for v in current(entry.votes.all())]
    return rules.Tally(
        should_attend=len(facts["should_attend"]),
        present=len(facts["present"]),
        votes_for=choices.count(Vote.Choice.FOR),
        votes_against=choices.count(Vote.Choice.AGAINST),
        votes_abstain=choices.count(Vote.Choice.ABSTAIN),
    )


# --- the live room: what every open screen refreshes (meetings.views_live) ----------------------


@dataclass
class Speaker:
    person: User
    spoken: bool
    next: bool = False


def speaking_order(row: EntryRow, meeting: Meeting) -> list[Speaker]:
    """Members present and not recused, in the attendance list's order, the chair last
    (一把手末位表态); the first who has not spoken is next."""
    spoken = {o.member_id for o in row.opinions}
    people = {a.person_id: a.person for a in meeting.attendance.all()}
    order = sorted(row.facts["present"], key=lambda pk: access.chairs(pk, meeting))
    speakers = [Speaker(people[pk], pk in spoken) for pk in order if pk in people]
    waiting = next((s for s in speakers if not s.spoken), None)
    if waiting is not None:
        waiting.next = True
    return speakers


def current_row(record: MeetingRecord) -> EntryRow | None:
    """The item the meeting is on: the first on the agenda without an outcome."""
    return next((r for r in record.entries if not r.entry.outcome), None)


def live_signature(record: MeetingRecord, *extra) -> str:
    """A short fingerprint of what the live fragments show: a poll whose fingerprint has not
    changed is answered with 204 and nothing is redrawn (a form being filled in stays as it is)."""
    import hashlib

    meeting = record.meeting
    parts = [meeting.state, meeting.version, len(record.dropped), *extra]
    parts += [(a.person_id, a.status) for a in meeting.attendance.all()]
    for r in record.entries:
        e = r.entry
        # Row ids, not counts: a correction replaces a row without changing how many there are.
        opinions, votes = tuple(o.pk for o in r.opinions), tuple(v.pk for v in r.votes)
        parts.append((e.pk, e.outcome, e.vote_state, e.vote_mode, opinions, votes, len(r.cast), len(r.recusals)))
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]
