"""The departments and the staff, with their roles (School.people)."""

import datetime as dt
from collections import defaultdict

from demo.people import demo_password
from demo.scale.base import BASE, GIVEN, LEADERS, START, SURNAMES, scaled
from org.models import Department, Role, RoleAssignment, User


class People:
    """Adds departments up to their number, then staff, each department with a head.

    Leaves for the other parts: u (username → pk), heads, departments, branches, members_of, joined.
    """

    def people(self):
        rng, w = self.rng, self.w
        existing = Department.objects.count()
        wanted = scaled("departments", self.factor)
        new_depts = []
        for n in range(max(0, wanted - existing)):
            kind = rng.choices(["office", "college", "branch"], [3, 2, 5])[0]
            label = {"office": "职能部门", "college": "二级学院", "branch": "党支部"}[kind]
            new_depts.append(Department(name=f"第{n + 1:03d}{label}", kind=kind, sort_order=100 + n))
        w.save(new_depts)
        self.departments = list(Department.objects.exclude(kind="leadership").order_by("pk"))
        self.u = {u.username: u.pk for u in User.objects.all()}
        # The demo accounts were here from the start: they receive every notice.
        User.objects.filter(pk__in=self.u.values()).update(date_joined=START - dt.timedelta(days=1))
        password = demo_password()
        staff = []
        depts = list(Department.objects.exclude(kind="leadership").order_by("pk"))
        for n in range(max(0, scaled("staff", self.factor) - len(self.u))):
            joined = START - dt.timedelta(days=1) if rng.random() < 0.6 else START + (BASE - START) * rng.random()
            staff.append(
                User(
                    username=f"t{n + 1:05d}",
                    name=rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2)))),
                    department=rng.choice(depts),
                    title="教职工",
                    email=f"t{n + 1:05d}@school.example",
                    password=password,
                    date_joined=joined,
                )
            )
        w.save(staff)
        staff_ids = dict(User.objects.filter(username__startswith="t").values_list("username", "pk"))
        by_dept = defaultdict(list)
        for s in staff:
            by_dept[s.department_id].append(staff_ids[s.username])
        heads = dict(RoleAssignment.objects.filter(role=Role.DEPT_HEAD).values_list("department_id", "user_id"))
        roles = [RoleAssignment(user_id=staff_ids[s.username], role=Role.STAFF) for s in staff]
        for d in depts:
            if d.pk not in heads and by_dept[d.pk]:
                heads[d.pk] = by_dept[d.pk][0]
                roles.append(RoleAssignment(user_id=heads[d.pk], role=Role.DEPT_HEAD, department_id=d.pk))
        w.save(roles)
        # Every department that submits items or leads tasks has a head (who reviews and reports).
        self.heads = heads
        self.departments = [d for d in depts if d.pk in heads]
        self.branches = [d for d in self.departments if d.kind == "branch"] or self.departments
        self.members_of = defaultdict(list)
        for d in self.departments:
            self.members_of[d.pk] = by_dept[d.pk] or [heads[d.pk]]
        for name, pk in User.objects.filter(pk__in=self.u.values()).values_list("username", "department_id"):
            if pk in self.members_of and name not in LEADERS:
                self.members_of[pk].append(self.u[name])
        # Who was on staff when: "everyone" at a given moment (superusers are not staff).
        self.joined = sorted(User.objects.filter(is_superuser=False, is_active=True).values_list("date_joined", "pk"))
