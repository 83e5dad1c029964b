"""Supervision: letters, patrol findings and the tasks they and the resolutions give rise to."""

import datetime as dt
import hashlib
from collections import defaultdict

from decisions.models import AgendaItem
from demo.scale.base import BASE, LEADERS, START, SUBJECTS, SUPERVISOR, TZ, scaled, target_type
from supervision.models import (
    Evidence,
    Letter,
    LetterReply,
    Milestone,
    PatrolFinding,
    ProgressReport,
    ReportReview,
    Task,
    TaskEscalation,
)


class Tasks:
    """School.tasks: tasks with their reports, reviews, milestones and escalations; items whose tasks are done close."""

    def tasks(self):
        rng, w = self.rng, self.w
        total = scaled("tasks", self.factor)
        n_letters = max(1, round(total * 0.05))
        n_findings = max(1, round(total * 0.05))
        letters = []
        for n in range(n_letters + max(1, n_letters // 5)):
            when = START + (BASE - START) * rng.random()
            replied = n < n_letters or rng.random() < 0.5
            letters.append(
                Letter(
                    author_id=rng.choice(self.joined)[1],
                    subject=f"关于{rng.choice(SUBJECTS)}的建议",
                    body="建议学校进一步研究并改进相关工作。",
                    created_at=when,
                    state="replied" if replied else "open",
                    replied_at=self.at(when, rng.uniform(4, 120)) if replied else None,
                )
            )
        w.save(letters)
        w.save(
            [
                LetterReply(
                    letter=x,
                    author_id=self.u["partyoffice"],
                    body="感谢来信，已转相关部门研究落实。",
                    created_at=x.replied_at,
                )
                for x in letters
                if x.replied_at
            ]
        )
        findings = []
        for _ in range(n_findings):
            day = (START + (BASE - START) * rng.random()).astimezone(TZ)
            findings.append(
                PatrolFinding(
                    leader_id=self.u[rng.choice(LEADERS)],
                    patrolled_on=day.date(),
                    place=rng.choice(["实训楼", "教学楼", "学生宿舍", "食堂", "图书馆"]) + f"{rng.randint(1, 6)}楼",
                    text="发现安全隐患一处，需限期整改。",
                    department=rng.choice(self.departments),
                    created_at=day,
                )
            )
        w.save(findings)
        for x in letters:
            w.event(x.created_at, x.author_id, "letter.write", target_type(Letter), x.pk)
            if x.replied_at:
                w.event(x.replied_at, self.u["partyoffice"], "letter.reply", target_type(Letter), x.pk)
        for f in findings:
            w.event(f.created_at, f.leader_id, "patrol.record", target_type(PatrolFinding), f.pk)

        sources = []
        resolutions = self.resolutions or []
        for _ in range(total - n_letters - n_findings if resolutions else 0):
            sources.append(("resolution", rng.choice(resolutions)))
        sources += [("letter", x) for x in letters[:n_letters]]
        sources += [("patrol", f) for f in findings]
        tasks = []
        for source, origin in sources:
            track = rng.choices(["task", "performance", "project", "branch"], [50, 20, 20, 10])[0]
            if source == "resolution":
                issued, title = origin.issued_at, f"落实{origin.number}:{origin.item.title[:60]}"
                confidential = origin.confidential
            elif source == "letter":
                issued, title, confidential = origin.replied_at, f"办理来信：{origin.subject}", False
                track = "performance"
            else:
                issued, title, confidential = origin.created_at, f"整改：{origin.place}{origin.text[:20]}", False
                track = "performance"
            created = self.at(issued, rng.uniform(2, 72))
            deadline = (created + dt.timedelta(days=rng.randint(20, 180))).astimezone(TZ).date()
            dept = rng.choice(self.branches if track == "branch" else self.departments)
            due = dt.datetime.combine(deadline, dt.time(17), TZ)
            if due < BASE - dt.timedelta(days=30):
                state = "closed" if rng.random() < 0.95 else rng.choice(["in_progress", "returned", "assigned"])
            else:
                state = rng.choices(
                    ["assigned", "in_progress", "reported", "returned", "closed"], [35, 30, 15, 10, 10]
                )[0]
            closed_at = None
            if state == "closed":
                closed_at = min(created + (due - created) * rng.uniform(0.3, 1.0), BASE - dt.timedelta(hours=1))
                closed_at = max(closed_at, self.at(created, 3))
            overdue = state != "closed" and due < BASE
            tasks.append(
                Task(
                    track=track,
                    source=source,
                    resolution=origin if source == "resolution" else None,
                    item_id=origin.item_id if source == "resolution" else None,
                    letter=origin if source == "letter" else None,
                    finding=origin if source == "patrol" else None,
                    title=title,
                    description="按决议要求落实，按节点报送进展并上传佐证材料。",
                    lead_department=dept,
                    responsible_leader_id=self.u[rng.choice(LEADERS)],
                    deadline=deadline,
                    confidential=confidential,
                    state=state,
                    escalation_level=(2 if rng.random() < 0.3 else 1) if overdue else 0,
                    created_by_id=self.u[SUPERVISOR[track] if source == "resolution" else "partyoffice"],
                    created_at=created,
                    closed_at=closed_at,
                )
            )
        tasks.sort(key=lambda t: t.created_at)
        w.save(tasks)
        self.task_records(tasks)
        # 决策—执行—反馈—办结: an item whose tasks are all closed is closed.
        open_items, closing = set(), {}
        for t in tasks:
            if t.item_id:
                if t.state != "closed":
                    open_items.add(t.item_id)
                else:
                    closing[t.item_id] = max(closing.get(t.item_id, t.closed_at), t.closed_at)
        closed = sorted(set(closing) - open_items)
        for i in range(0, len(closed), 5000):
            AgendaItem.objects.filter(pk__in=closed[i : i + 5000]).update(state="closed")
        for pk in closed:
            w.event(
                closing[pk], None, "item.close", target_type(AgendaItem), pk, "resolved", "closed", "督查任务全部办结"
            )

    def task_records(self, tasks):
        rng, w = self.rng, self.w
        milestones, reports, escalations = [], [], []
        for t in tasks:
            w.event(t.created_at, t.created_by_id, "task.create", target_type(Task), t.pk, to_state="assigned")
            due = dt.datetime.combine(t.deadline, dt.time(17), TZ)
            for level in range(1, t.escalation_level + 1):
                when = min(due + dt.timedelta(days=7 * level), BASE - dt.timedelta(hours=level))
                reason = "已逾期，系统提醒责任领导和牵头部门。" if level == 1 else "仍逾期，系统提醒督查部门。"
                escalations.append(TaskEscalation(task=t, level=level, by=None, reason=reason, created_at=when))
                w.event(when, None, "task.escalate", target_type(Task), t.pk, data={"level": level})
            if rng.random() < 0.4:
                span = dt.datetime.combine(t.deadline, dt.time(17), TZ) - t.created_at
                for n in (1, 2):
                    milestones.append(
                        Milestone(
                            task=t,
                            title=("制定实施方案", "完成并总结")[n - 1],
                            due=(t.created_at + span * n / 2).astimezone(TZ).date(),
                            position=n,
                        )
                    )
            if t.state == "assigned":
                continue
            author = self.heads[t.lead_department_id]
            when = (
                t.closed_at - dt.timedelta(hours=2) if t.closed_at else self.at(t.created_at, rng.uniform(24, 24 * 20))
            )
            when = min(when, BASE - dt.timedelta(hours=3))
            final = t.state == "closed" or (t.state == "reported" and rng.random() < 0.3)
            reports.append(
                ProgressReport(
                    task=t,
                    author_id=author,
                    text="已按要求完成。" if final else "已按节点推进，详见佐证材料。",
                    is_final=final,
                    created_at=max(when, self.at(t.created_at, 1)),
                )
            )
        w.save(reports)
        w.save(escalations)
        ms_of = defaultdict(list)
        for m in milestones:
            ms_of[m.task_id].append(m)
        evidence, reviews = [], []
        for r in reports:
            t = r.task
            w.event(r.created_at, r.author_id, "task.report", target_type(Task), t.pk, "assigned", "reported")
            if r.is_final:
                name = f"{t.pk}-佐证材料.pdf"
                evidence.append(
                    Evidence(
                        report=r,
                        file=f"evidence/scale/{name}",
                        name=name,
                        size=102400,
                        content_type="application/pdf",
                        sha256=hashlib.sha256(name.encode()).hexdigest(),
                        uploaded_at=r.created_at,
                    )
                )
            decision = {"closed": "close", "in_progress": "accept", "returned": "return"}.get(t.state)
            if decision:
                when = t.closed_at or self.at(r.created_at, 1)
                reviewer = self.u[SUPERVISOR[t.track]]
                if reviewer == r.author_id:  # never the report's own author
                    reviewer = self.u["discipline"]
                reviews.append(
                    ReportReview(
                        report=r,
                        reviewer_id=reviewer,
                        decision=decision,
                        comment="请补充佐证材料。" if decision == "return" else "同意。",
                        rating=rng.choice(["excellent", "good", "pass"]) if decision == "close" else "",
                        created_at=when,
                    )
                )
                to = {"close": "closed", "accept": "in_progress", "return": "returned"}[decision]
                w.event(when, reviewer, f"task.{decision}", target_type(Task), t.pk, "reported", to)
                mine = ms_of.get(t.pk, [])
                for m in mine if decision == "close" else mine[:1] if decision == "accept" else []:
                    m.done_at, m.done_report = when, r
        w.save(evidence)
        w.save(reviews)
        # Written last, so that the milestones a review completed carry it from the start.
        w.save(milestones)
