"""钉钉通讯录同步: the school's DingTalk contact directory brought into Yishi's departments and people.

`plan()` reads the directory and says what would change, without changing anything: departments
to add (matched by name, under the parent DingTalk names), people to add, to update (name, title,
mobile, home department) or to link (an existing person found by mobile number gets the DingTalk
userid), and people to deactivate (linked to DingTalk but no longer in the directory: they left).
`apply()` carries out the plan the administrator saw, refusing if the directory changed since
(its fingerprint), in one transaction with an audit row per record. Nobody is ever deleted, and
the superuser is never deactivated by a sync.
"""

import hashlib
import json
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from core import audit
from core.errors import InvalidTransition
from core.providers.dingtalk import DingTalk
from org.models import Department, User


@dataclass(frozen=True)
class Change:
    kind: str  # dept.create, user.create, user.update, user.link, user.deactivate
    key: str  # the department's name or the person's DingTalk userid
    label: str  # what the preview shows
    data: dict = field(default_factory=dict, hash=False, compare=False)


@dataclass
class Plan:
    changes: list[Change]
    departments: int  # in the directory
    people: int

    @property
    def fingerprint(self) -> str:
        rows = [(c.kind, c.key, json.dumps(c.data, sort_keys=True, ensure_ascii=False)) for c in self.changes]
        return hashlib.sha256(repr(rows).encode()).hexdigest()[:16]

    def count(self, kind: str) -> int:
        return sum(1 for c in self.changes if c.kind == kind)


def plan(client: DingTalk | None = None) -> Plan:
    """What a sync would change now. Reads DingTalk; writes nothing."""
    departments, members = (client or DingTalk()).directory()
    names = {d["dept_id"]: d["name"] for d in departments}
    existing = set(Department.objects.values_list("name", flat=True))
    changes: list[Change] = []
    for d in departments:
        if d["name"] not in existing:
            parent = names.get(d.get("parent_id"))
            changes.append(
                Change(
                    "dept.create", d["name"], _("新增部门：%(name)s") % {"name": d["name"]}, {"parent": parent or ""}
                )
            )
            existing.add(d["name"])

    people = list(User.objects.select_related("department"))
    by_userid = {u.dingtalk_userid: u for u in people if u.dingtalk_userid}
    by_mobile: dict[str, list[User]] = {}
    for u in people:
        if u.mobile and u.is_active:
            by_mobile.setdefault(u.mobile, []).append(u)
    seen = set()
    for m in sorted(members, key=lambda m: m["userid"]):
        userid = m["userid"]
        seen.add(userid)
        home = next((names[i] for i in m.get("dept_id_list") or [] if i in names), "")
        wanted = {
            "name": m.get("name", ""),
            "title": m.get("title", ""),
            "mobile": m.get("mobile", ""),
            "department": home,
        }
        person = by_userid.get(userid)
        if person is None:
            same_mobile = by_mobile.get(wanted["mobile"], []) if wanted["mobile"] else []
            if len(same_mobile) == 1 and not same_mobile[0].dingtalk_userid:
                person = same_mobile[0]
                changes.append(
                    Change(
                        "user.link",
                        userid,
                        _("关联钉钉账号：%(person)s") % {"person": person},
                        {"username": person.username},
                    )
                )
            else:
                label = _("新增人员：%(name)s（%(dept)s）") % {"name": wanted["name"], "dept": home or _("未分部门")}
                changes.append(Change("user.create", userid, label, wanted))
                continue
        differs = {
            key: value
            for key, value in wanted.items()
            if value
            and (getattr(person, key) if key != "department" else (person.department.name if person.department else ""))
            != value
        }
        if differs or not person.is_active:
            label = _("更新人员：%(person)s（%(fields)s）") % {
                "person": person,
                "fields": "、".join(str(User._meta.get_field(k).verbose_name) for k in differs) or _("恢复在职"),
            }
            changes.append(
                Change("user.update", userid, label, {"username": person.username, **differs, "active": True})
            )
    for person in people:
        if (
            person.dingtalk_userid
            and person.dingtalk_userid not in seen
            and person.is_active
            and not person.is_superuser
        ):
            changes.append(
                Change(
                    "user.deactivate",
                    person.dingtalk_userid,
                    _("停用（已不在通讯录）：%(person)s") % {"person": person},
                    {"username": person.username},
                )
            )
    return Plan(changes=changes, departments=len(departments), people=len(members))


def apply(*, actor: User, fingerprint: str, client: DingTalk | None = None) -> Plan:
    """Carry out the plan the administrator previewed (its `fingerprint`), whole or not at all."""
    current = plan(client)
    if current.fingerprint != fingerprint:
        raise InvalidTransition(_("通讯录在预览之后有变化，没有同步；请重新预览后再确认。"), status=409)
    with transaction.atomic():
        for change in (c for c in current.changes if c.kind == "dept.create"):
            parent = Department.objects.filter(name=change.data["parent"]).first() if change.data["parent"] else None
            dept = Department.objects.create(name=change.key, parent=parent)
            audit.record(actor=actor, verb="directory.dept_create", target=dept)
        departments = {d.name: d for d in Department.objects.all()}
        for change in current.changes:
            if change.kind == "user.create":
                person = User(
                    username=change.key,
                    dingtalk_userid=change.key,
                    name=change.data["name"],
                    title=change.data["title"],
                    mobile=change.data["mobile"],
                    department=departments.get(change.data["department"]),
                )
                person.set_unusable_password()  # signs in through DingTalk
                person.save()
                audit.record(actor=actor, verb="directory.user_create", target=person)
            elif change.kind in ("user.link", "user.update", "user.deactivate"):
                person = User.objects.select_for_update().get(username=change.data["username"])
                fields = {}
                if change.kind == "user.link":
                    fields["dingtalk_userid"] = change.key
                elif change.kind == "user.deactivate":
                    fields["is_active"] = False
                else:
                    for key in ("name", "title", "mobile"):
                        if key in change.data:
                            fields[key] = change.data[key]
                    if "department" in change.data:
                        fields["department"] = departments.get(change.data["department"])
                    fields["is_active"] = True
                for key, value in fields.items():
                    setattr(person, key, value)
                person.save(update_fields=list(fields))
                audit.record(
                    actor=actor,
                    verb=f"directory.{change.kind.split('.')[1]}",
                    target=person,
                    data={k: (v.name if isinstance(v, Department) else v) for k, v in fields.items()},
                )
    return current
