"""Agenda items from submission to the meeting, with their consultations."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from decisions.models import AgendaItem, Consultation
from demo.people import BODIES
from demo.scale.base import (
    BASE,
    CATEGORIES,
    CONSULT_NEVER,
    ITEM_SHARE,
    KINDS,
    LEADERS,
    START,
    SUBJECTS,
    VERBS,
    body_code,
    scaled,
    target_type,
)


class Items:
    """School.items: the items and each step of their history up to a meeting (agenda in meetings.py)."""

    def items(self):
        rng, w = self.rng, self.w
        total = scaled("items", self.factor)
        held = defaultdict(list)
        coming = {}
        for m in self.all_meetings:
            if m.state == "adjourned":
                held[body_code(self, m)].append(m)
            elif m.state == "published":
                coming[body_code(self, m)] = m
        plans = []  # (item, meeting or None, fate)
        for code, share in ITEM_SHARE.items():
            body = self.bodies[code]
            for _ in range(max(1, round(total * share))):
                category = rng.choices(*zip(*CATEGORIES[code]))[0]
                major, amount = "", None
                if code == "PC" and category in ("proposal", "decision") and rng.random() < 0.6:
                    major = rng.choice(["decision", "appointment", "project", "funds"])
                    if major == "funds":
                        amount = Decimal(rng.randrange(100_000, 5_000_000, 1000))
                elif code == "PO" and category == "decision" and rng.random() < 0.3:
                    amount = Decimal(rng.randrange(5_000, 99_000, 500))
                dept = rng.choice(self.departments)
                r = rng.random()
                if r < 0.90 and held[code]:
                    meeting, fate = rng.choice(held[code]), "held"
                    created = meeting.starts_at - dt.timedelta(days=rng.uniform(10, 45))
                elif r < 0.93:
                    meeting, fate = coming[code], "scheduled"
                    created = BASE - dt.timedelta(days=rng.uniform(10, 30))
                elif r < 0.96:
                    meeting = None
                    fate = rng.choice(
                        ["draft", "dept_review", "returned", "screening", "consulting", "revising", "ready"]
                    )
                    created = BASE - dt.timedelta(days=rng.uniform(1, 40))
                else:
                    meeting, fate = None, rng.choice(["rejected", "withdrawn"])
                    created = START + (BASE - START) * rng.random()
                subject = rng.choice(SUBJECTS)
                title = f"{rng.choice(VERBS)}{subject}{rng.choice(KINDS)}({created.year}-{len(plans) + 1:05d})"
                item = AgendaItem(
                    title=title,
                    category=category,
                    background=f"根据上级关于{subject}的部署和学校工作实际，{dept.name}提出本议题。",
                    proposal=f"拟由{dept.name}牵头，{subject}按方案分步实施，经费按预算执行。",
                    amount=amount,
                    major_kind=major,
                    requested_body=body,
                    confidential=rng.random() < 0.05,
                    submitter_id=rng.choice(self.members_of[dept.pk]),
                    department=dept,
                    created_at=created,
                    submitted_at=None if fate == "draft" else self.at(created, rng.uniform(2, 48)),
                )
                plans.append((item, meeting, fate))
        plans.sort(key=lambda p: p[0].created_at)
        for item, _meeting, fate in plans:
            item.consultees = self.consultees(item)
            item.rounds = 2 if item.consultees and fate in ("held", "scheduled") and rng.random() < 0.1 else 1
            item.consultation_round = item.rounds if item.consultees and fate not in CONSULT_NEVER else 0
            item.state = "ready" if fate in ("consulting", "revising") and not item.consultees else fate
            if fate == "held":
                item.state = "scheduled"  # agenda() settles it from the outcome
            item.updated_at = item.submitted_at or item.created_at
        w.save([p[0] for p in plans])
        self.consult_and_history(plans)
        self.agenda(plans)

    def consultees(self, item) -> list[int]:
        if item.category not in ("proposal", "decision") or item.requested_body.code not in ("PC", "PO"):
            return []
        chair = BODIES[item.requested_body.code][0]
        pool = [x for x in LEADERS if x != chair]
        return [self.u[x] for x in self.rng.sample(pool, self.rng.choice((1, 2, 3)))]

    def consult_and_history(self, plans):
        rng, w = self.rng, self.w
        consultations = []
        tt = target_type(AgendaItem)
        for item, _meeting, fate in plans:
            w.event(item.created_at, item.submitter_id, "item.create", tt, item.pk, to_state="draft")
            if fate == "draft":
                continue
            t = item.submitted_at
            w.event(t, item.submitter_id, "item.submit", tt, item.pk, "draft", "dept_review")
            head = self.heads[item.department_id]
            if fate == "dept_review":
                continue
            t = self.at(t, rng.uniform(2, 72))
            if fate == "returned":
                w.event(t, head, "item.dept_return", tt, item.pk, "dept_review", "returned", "请补充依据和经费测算。")
                continue
            w.event(t, head, "item.dept_approve", tt, item.pk, "dept_review", "screening")
            screener = self.u[BODIES[item.requested_body.code][0]]
            if fate == "screening":
                continue
            t = self.at(t, rng.uniform(2, 72))
            if fate == "rejected":
                w.event(
                    t, screener, "item.screen_reject", tt, item.pk, "screening", "rejected", "不属于本会议议事范围。"
                )
                continue
            consultees = item.consultees
            if fate == "withdrawn":
                w.event(
                    t,
                    item.submitter_id,
                    "item.withdraw",
                    tt,
                    item.pk,
                    "screening",
                    "withdrawn",
                    "工作安排调整，暂不上会。",
                )
                continue
            w.event(
                t, screener, "item.screen_accept", tt, item.pk, "screening", "consulting" if consultees else "ready"
            )
            rounds = item.rounds
            for rnd in range(1, rounds + 1):
                for n, who in enumerate(consultees):
                    pending = fate == "consulting" and n == len(consultees) - 1
                    concern = (fate == "revising" or rnd < rounds) and n == 0
                    answered = None if pending else self.at(t, rng.uniform(4, 96))
                    consultations.append(
                        Consultation(
                            item=item,
                            round=rnd,
                            consultee_id=who,
                            requested_by_id=screener,
                            requested_at=t,
                            answer="pending" if pending else ("concern" if concern else "agree"),
                            text="请进一步论证经费来源。" if concern else "",
                            answered_at=answered,
                        )
                    )
                    if answered:
                        w.event(
                            answered,
                            who,
                            "item.consult_answer",
                            tt,
                            item.pk,
                            "consulting",
                            "revising" if concern else "consulting",
                            "请进一步论证经费来源。" if concern else "",
                        )
                if rnd < rounds:
                    t = self.at(t, 120)
                    w.event(
                        t, item.submitter_id, "item.resubmit", tt, item.pk, "revising", "consulting", "已补充经费论证。"
                    )
        self.w.save(consultations)
