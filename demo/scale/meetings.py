"""The meetings, their attendance, what they made of the items on their agendas, and minutes."""

import datetime as dt
import hashlib
from collections import Counter, defaultdict

from core.models import Sequence
from decisions.models import AgendaItem
from demo.people import BODIES
from demo.scale.base import BASE, BODY_SHARE, PLACES, SECRETARY, START, TZ, body_code, scaled, target_type
from meetings.models import AgendaEntry, Attendance, Meeting, Minutes, MinutesSignature, Opinion, Resolution, Vote
from org.models import MeetingBody


class Meetings:
    """School.meetings (with attendance), then agenda, entry and minutes, which School.items calls.

    Leaves for the other parts: bodies, all_meetings, present (meeting → members present), resolutions.
    """

    def meetings(self):
        rng, w = self.rng, self.w
        self.bodies = {b.code: b for b in MeetingBody.objects.all()}
        total = scaled("meetings", self.factor)
        span = (BASE - START).total_seconds()
        meetings = []
        for code, share in BODY_SHARE.items():
            count = max(1, round(total * share))
            chair, members, observers = BODIES[code]
            for n in range(count):
                day = START + dt.timedelta(seconds=span * (n + rng.random()) / count)
                day = day.replace(hour=rng.choice((9, 14)), minute=rng.choice((0, 30)), second=0, microsecond=0)
                meetings.append((day, code, "cancelled" if rng.random() < 0.02 else "adjourned"))
            # One to come, its agenda published.
            meetings.append((BASE + dt.timedelta(days=3 + len(meetings) % 5, hours=5), code, "published"))
        meetings.sort()
        seq = Counter()
        rows = []
        for day, code, state in meetings:
            seq[(code, day.year)] += 1
            body = self.bodies[code]
            rows.append(
                Meeting(
                    body=body,
                    title=f"{day.year}年第{seq[(code, day.year)]}次{body.name}",
                    starts_at=day,
                    place=rng.choice(PLACES),
                    chair_id=self.u[BODIES[code][0]],
                    secretary_id=self.u[SECRETARY[code]],
                    materials_days=body.materials_days,
                    state=state,
                    created_by_id=self.u[SECRETARY[code]],
                    created_at=day - dt.timedelta(days=14),
                    opened_at=day if state == "adjourned" else None,
                    closed_at=self.at(day, 2.5) if state == "adjourned" else None,
                )
            )
        w.save(rows)
        self.all_meetings = list(Meeting.objects.order_by("starts_at", "pk"))
        attendance, self.present = [], {}
        for m in self.all_meetings:
            code = body_code(self, m)
            chair, members, observers = BODIES[code]
            absent = (
                rng.choice([x for x in members if x != chair])
                if len(members) > 2 and m.state == "adjourned" and rng.random() < 0.05
                else None
            )
            self.present[m.pk] = [self.u[x] for x in members if x != absent]
            done = m.state == "adjourned"
            for who in members:
                status = ("absent" if who == absent else "present") if done else "unknown"
                attendance.append(
                    Attendance(
                        meeting=m,
                        person_id=self.u[who],
                        kind="member",
                        status=status,
                        absence_reason="公务外出" if who == absent else "",
                    )
                )
            for who in observers:
                attendance.append(
                    Attendance(
                        meeting=m, person_id=self.u[who], kind="observer", status="present" if done else "unknown"
                    )
                )
            secretary = self.u[SECRETARY[code]]
            tt = target_type(Meeting)
            w.event(m.created_at, secretary, "meeting.schedule", tt, m.pk, to_state="planning")
            if m.state == "cancelled":
                w.event(
                    m.starts_at - dt.timedelta(days=1),
                    secretary,
                    "meeting.cancel",
                    tt,
                    m.pk,
                    "planning",
                    "cancelled",
                    "工作安排调整",
                )
                continue
            w.event(m.starts_at - dt.timedelta(days=7), secretary, "meeting.publish", tt, m.pk, "planning", "published")
            if done:
                w.event(m.starts_at, secretary, "meeting.open", tt, m.pk, "published", "in_progress")
                for who in members + observers:
                    w.event(m.starts_at, secretary, "meeting.attendance", tt, m.pk, data={"person": self.u[who]})
                w.event(m.closed_at, secretary, "meeting.adjourn", tt, m.pk, "in_progress", "adjourned")
        w.save(attendance)

    # --- what the meetings made of the items on their agendas ------------------------------
    def agenda(self, plans):
        _rng, w = self.rng, self.w
        by_meeting = defaultdict(list)
        for item, meeting, _fate in plans:
            if meeting is not None:
                by_meeting[meeting.pk].append(item)
        meetings = {m.pk: m for m in self.all_meetings}
        entries = []
        for mid in sorted(by_meeting):
            m = meetings[mid]
            for pos, item in enumerate(sorted(by_meeting[mid], key=lambda i: i.created_at), start=1):
                entries.append(self.entry(m, item, pos))
        w.save(entries)
        opinions, votes, resolutions, states = [], [], [], {}
        seq = Counter()
        tt_item, _tt_m = target_type(AgendaItem), target_type(Meeting)
        for e in entries:
            m, item = meetings[e.meeting_id], e.item
            secretary = self.u[SECRETARY[body_code(self, m)]]
            w.event(
                m.starts_at - dt.timedelta(days=8), secretary, "item.schedule", tt_item, item.pk, "ready", "scheduled"
            )
            if not e.outcome:
                continue
            code = body_code(self, m)
            present = self.present[m.pk]
            chair = self.u[BODIES[code][0]]
            decided = e.decided_at
            if item.category in ("proposal", "decision"):
                against = e.outcome == "not_passed"
                speakers = [p for p in present if p != chair] + ([chair] if chair in present else [])
                for n, who in enumerate(speakers):
                    when = decided - dt.timedelta(minutes=20 - n)
                    stance = "disagree" if against and n < len(speakers) // 2 + 1 else "agree"
                    opinions.append(
                        Opinion(entry=e, member_id=who, stance=stance, recorded_by_id=secretary, recorded_at=when)
                    )
                    w.event(
                        when,
                        secretary,
                        "meeting.opinion",
                        target_type(AgendaEntry),
                        e.pk,
                        data={"member": who, "stance": stance},
                    )
                if item.major_kind or against:
                    w.event(
                        decided - dt.timedelta(minutes=5),
                        secretary,
                        "meeting.vote_open",
                        target_type(AgendaEntry),
                        e.pk,
                    )
                    for n, who in enumerate(present):
                        choice = "against" if against and n < len(present) // 2 + 1 else "for"
                        votes.append(
                            Vote(entry=e, member_id=who, choice=choice, cast_at=decided - dt.timedelta(minutes=4))
                        )
                        w.event(
                            decided - dt.timedelta(minutes=4), who, "meeting.vote_cast", target_type(AgendaEntry), e.pk
                        )
                    w.event(
                        decided - dt.timedelta(minutes=1),
                        secretary,
                        "meeting.vote_close",
                        target_type(AgendaEntry),
                        e.pk,
                    )
            w.event(decided, secretary, "meeting.decide", target_type(AgendaEntry), e.pk, data={"outcome": e.outcome})
            to = {"noted": "noted", "not_passed": "not_passed"}.get(e.outcome, "resolved")
            w.event(
                decided,
                secretary,
                "item.decide",
                tt_item,
                item.pk,
                "scheduled",
                to,
                e.outcome_note or e.get_outcome_display(),
            )
            states[item.pk] = to
            if to == "resolved":
                body = self.bodies[code]
                year = m.starts_at.astimezone(TZ).year
                seq[(code, year)] += 1
                n = seq[(code, year)]
                text = item.proposal if e.outcome == "passed" else f"{item.proposal}\n修改意见：{e.outcome_note}"
                resolutions.append(
                    Resolution(
                        body=body,
                        year=year,
                        seq=n,
                        number=f"{body.name}〔{year}〕{n}号",
                        meeting=m,
                        entry=e,
                        item=item,
                        outcome=e.outcome,
                        text=text,
                        confidential=item.confidential,
                        issued_at=decided,
                        issued_by_id=secretary,
                    )
                )
        w.save(opinions)
        w.save(votes)
        w.save(resolutions)
        self.resolutions = resolutions
        for state in ("noted", "not_passed", "resolved"):
            ids = [pk for pk, s in states.items() if s == state]
            for i in range(0, len(ids), 5000):
                AgendaItem.objects.filter(pk__in=ids[i : i + 5000]).update(state=state)
        for (code, year), last in seq.items():
            Sequence.objects.update_or_create(name=f"resolution:{code}", year=year, defaults={"last": last})
        self.minutes(entries, meetings)

    def entry(self, m, item, pos) -> AgendaEntry:
        rng = self.rng
        e = AgendaEntry(meeting=m, item=item, position=pos)
        if m.state != "adjourned":
            return e
        code = body_code(self, m)
        e.decided_at = self.at(m.starts_at, 0.2 * pos + 0.1)
        e.decided_by_id = self.u[SECRETARY[code]]
        if item.category in ("study", "report", "briefing"):
            e.outcome = "noted"
        else:
            r = rng.random()
            e.outcome = "passed" if r < 0.85 else ("passed_with_changes" if r < 0.95 else "not_passed")
            if item.major_kind or e.outcome == "not_passed":
                e.vote_state = "closed"
        if e.outcome == "passed_with_changes":
            e.outcome_note = "按会议意见修改完善后实施。"
        return e

    def minutes(self, entries, meetings):
        _rng, w = self.rng, self.w
        titles = defaultdict(list)
        for e in entries:
            titles[e.meeting_id].append(f"{e.position}. {e.item.title}:{e.get_outcome_display()}")
        last_held = {}
        for m in self.all_meetings:
            if m.state == "adjourned":
                last_held[body_code(self, m)] = m.pk
        rows, seq = [], Counter()
        for m in self.all_meetings:
            if m.state != "adjourned":
                continue
            code = body_code(self, m)
            signing = last_held[code] == m.pk
            year = m.starts_at.astimezone(TZ).year
            number = ""
            if not signing:
                seq[(code, year)] += 1
                number = f"{m.body.name}纪要〔{year}〕{seq[(code, year)]}号"
            text = f"{m.title}\n时间：{m.starts_at.astimezone(TZ):%Y年%m月%d日}\n" + "\n".join(titles[m.pk])
            rows.append(
                Minutes(
                    meeting=m,
                    text=text,
                    state="signing" if signing else "locked",
                    signing_round=1,
                    number=number,
                    created_at=self.at(m.closed_at, 1),
                    locked_at=None if signing else self.at(m.closed_at, 72),
                )
            )
        w.save(rows)
        signatures = []
        tt = target_type(Minutes)
        for mn in rows:
            m = mn.meeting
            secretary = self.u[SECRETARY[body_code(self, m)]]
            sha = hashlib.sha256(mn.text.encode()).hexdigest()
            signers = self.present[m.pk][: 1 if mn.state == "signing" else None]
            w.event(mn.created_at, secretary, "minutes.draft", tt, mn.pk)
            w.event(self.at(mn.created_at, 2), secretary, "minutes.send", tt, mn.pk, "draft", "signing")
            for n, who in enumerate(signers):
                when = self.at(mn.created_at, 24 + n)
                signatures.append(MinutesSignature(minutes=mn, member_id=who, round=1, text_sha256=sha, signed_at=when))
                w.event(when, who, "minutes.sign", tt, mn.pk, data={"round": 1})
            if mn.state == "locked":
                w.event(
                    mn.locked_at,
                    signers[-1],
                    "minutes.lock",
                    tt,
                    mn.pk,
                    "signing",
                    "locked",
                    data={"number": mn.number},
                )
        w.save(signatures)
        for (code, year), last in seq.items():
            Sequence.objects.update_or_create(name=f"minutes:{code}", year=year, defaults={"last": last})
