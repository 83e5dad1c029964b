"""Notices of the most recent PC resolutions and monthly digests, with their receipts."""

import datetime as dt
from collections import defaultdict

from demo.scale.base import BASE, TZ, body_code, next_after, scaled, target_type
from notices.models import Notice, NoticeAudience, NoticeRecipient


class Notices:
    """School.notices."""

    def notices(self):
        """The most recent PC resolutions and monthly digests, newest first, until the receipts
        (one per member of staff for a notice to everyone) reach their number."""
        rng, w = self.rng, self.w
        budget = scaled("receipts", self.factor)
        sa = sorted(m.starts_at for m in self.all_meetings if body_code(self, m) == "SA" and m.state != "cancelled")
        as_ = sorted(m.starts_at for m in self.all_meetings if body_code(self, m) == "AS" and m.state != "cancelled")
        meeting_at = {(m.body_id, m.starts_at): m for m in self.all_meetings}
        pc = [r for r in self.resolutions if r.body.code == "PC"]
        by_month = defaultdict(list)
        for r in pc:
            local = r.issued_at.astimezone(TZ)
            by_month[dt.date(local.year, local.month, 1)].append(r)
        candidates = [("resolution", r.issued_at, r) for r in pc]
        for month in by_month:
            nxt = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
            published = dt.datetime.combine(nxt, dt.time(8), TZ)
            if published < BASE:
                candidates.append(("digest", published, month))
        candidates.sort(key=lambda c: c[1], reverse=True)
        chosen, spent = [], 0
        for kind, published, what in candidates:
            if spent >= budget:
                break
            if kind == "resolution" and what.confidential:
                people = self.present[what.meeting_id] + [self.u["discipline"], what.meeting.secretary_id]
            else:
                people = [pk for joined, pk in self.joined if joined <= published]
            chosen.append((kind, published, what, sorted(set(people))))
            spent += len(people)
        chosen.reverse()
        notices = []
        for kind, published, what, _people in chosen:
            if kind == "resolution":
                local = what.meeting.starts_at.astimezone(TZ)
                when = f"{local.year}年{local.month}月{local.day}日"
                if what.confidential:
                    title = f"党委会决议{what.number}（涉密）"
                    body = f"{what.meeting.title}（{when}）形成涉密决议一项，文号{what.number}。按保密规定，决议内容不予通报；确需了解的，请向党委办公室查阅。"
                else:
                    title = f"{what.number}:{what.item.title}"
                    body = f"{what.meeting.title}（{when}）审议通过《{what.item.title}》，形成决议{what.number}。\n\n决议内容：\n{what.text}"
                level, at = "pc_resolution", next_after(sa, published)
                body_id = self.bodies["SA"].pk
            else:
                month_rs = by_month[what]
                title = f"{what.year}年{what.month}月党委会决议通报"
                body = "\n".join(
                    f"{r.number}" + ("（涉密）" if r.confidential else f" {r.item.title}") for r in month_rs
                )
                level, at = "monthly_digest", next_after(as_, published)
                body_id = self.bodies["AS"].pk
            notices.append(
                Notice(
                    level=level,
                    title=title[:200],
                    body=body,
                    resolution=what if kind == "resolution" else None,
                    meeting=meeting_at.get((body_id, at)) if at else None,
                    period=what if kind == "digest" else None,
                    state="published",
                    confidential=kind == "resolution" and what.confidential,
                    created_at=published,
                    published_at=published,
                )
            )
        w.save(notices)
        audiences, receipts = [], []
        tt = target_type(Notice)
        newest = BASE - dt.timedelta(days=30)
        staff = self.u["staff"]
        for n, (_kind, published, what, people) in zip(notices, chosen):
            if n.confidential:
                audiences.append(NoticeAudience(notice=n, kind="attendees", meeting=what.meeting))
            else:
                audiences.append(NoticeAudience(notice=n, kind="everyone"))
            w.event(published, None, "notice.create", tt, n.pk, to_state="draft")
            w.event(published, None, "notice.publish", tt, n.pk, "draft", "published", data={"recipients": len(people)})
            p_read = 0.5 if published > newest else 0.9
            for pk in people:
                read = rng.random() < p_read and not (pk == staff and published > newest)
                read_at = self.at(published, rng.uniform(0.5, 240)) if read else None
                if read_at and read_at > BASE:
                    read_at = None
                receipts.append(NoticeRecipient(notice=n, person_id=pk, read_at=read_at))
                if read_at:
                    w.event(read_at, pk, "notice.read", tt, n.pk)
                if len(receipts) >= 50000:
                    w.save(receipts)
                    receipts = []
        w.save(audiences)
        w.save(receipts)
