"""The demo school: departments, the nine demo accounts (one per role) and the meeting bodies."""

import functools

from django.contrib.auth.hashers import make_password

from org.models import BodyMember, Department, MeetingBody, Role, RoleAssignment, User

PASSWORD = "yishi2026"

DEPARTMENTS = [
    # name, kind, order
    ("校领导", Department.Kind.LEADERSHIP, 1),
    ("党委办公室", Department.Kind.OFFICE, 2),
    ("校务办公室", Department.Kind.OFFICE, 3),
    ("纪委办公室", Department.Kind.OFFICE, 4),
    ("教务处", Department.Kind.OFFICE, 5),
    ("财务处", Department.Kind.OFFICE, 6),
    ("信息中心", Department.Kind.OFFICE, 7),
    ("智能制造学院", Department.Kind.COLLEGE, 8),
    ("信息技术学院", Department.Kind.COLLEGE, 9),
    ("机关第一党支部", Department.Kind.BRANCH, 10),
    ("智能制造学院党支部", Department.Kind.BRANCH, 11),
]

# username, name, department, title, roles ((role, headed department or None), ...)
PEOPLE = [
    ("secretary", "王建国", "校领导", "党委书记", [(Role.SECRETARY, None), (Role.PC_MEMBER, None)]),
    (
        "principal",
        "李明华",
        "校领导",
        "党委副书记、校长",
        [(Role.PRINCIPAL, None), (Role.PC_MEMBER, None), (Role.PO_MEMBER, None)],
    ),
    ("member1", "张卫东", "校领导", "党委委员、副校长", [(Role.PC_MEMBER, None), (Role.PO_MEMBER, None)]),
    ("member2", "陈晓红", "校领导", "党委委员、组织部长", [(Role.PC_MEMBER, None)]),
    ("vice", "刘志强", "校领导", "副校长", [(Role.PO_MEMBER, None)]),
    ("discipline", "赵敏", "纪委办公室", "纪委书记", [(Role.DISCIPLINE, None)]),
    (
        "partyoffice",
        "孙丽",
        "党委办公室",
        "党委办公室主任",
        [(Role.PARTY_OFFICE, None), (Role.DEPT_HEAD, "党委办公室")],
    ),
    (
        "affairsoffice",
        "周强",
        "校务办公室",
        "校务办主任",
        [(Role.AFFAIRS_OFFICE, None), (Role.DEPT_HEAD, "校务办公室")],
    ),
    ("depthead", "吴晓东", "教务处", "教务处处长", [(Role.DEPT_HEAD, "教务处"), (Role.STAFF, None)]),
    ("staff", "郑小燕", "教务处", "教务处教学科科员", [(Role.STAFF, None)]),
    ("finance", "何静", "财务处", "财务处处长", [(Role.DEPT_HEAD, "财务处"), (Role.STAFF, None)]),
    ("dean", "林海", "智能制造学院", "智能制造学院院长", [(Role.DEPT_HEAD, "智能制造学院"), (Role.STAFF, None)]),
    ("teacher", "黄磊", "智能制造学院", "专任教师", [(Role.STAFF, None)]),
]

# body code -> (chair, members, observers)
BODIES = {
    "PC": ("secretary", ["secretary", "principal", "member1", "member2"], ["discipline"]),
    "PO": ("principal", ["principal", "member1", "vice"], ["discipline"]),
    "SA": ("principal", ["principal", "member1", "vice", "depthead", "finance"], ["discipline"]),
    "AS": ("principal", ["principal"], []),
    # 党委理论学习中心组: the committee and the other school leaders study together.
    "CG": ("secretary", ["secretary", "principal", "member1", "member2", "vice", "discipline"], []),
}


@functools.cache
def demo_password() -> str:
    """PASSWORD hashed once: every demo account shares the one published password, and hashing
    it per account (the hasher is slow on purpose) took most of the seed's first seconds."""
    return make_password(PASSWORD)


def seed_org() -> int:
    """Departments, people with their roles, and the membership and chair of each meeting body."""
    from decisions.defaults import ensure_defaults
    from decisions.models import DecisionPolicy, ScopeRule

    created = ensure_defaults(MeetingBody, ScopeRule, DecisionPolicy)
    departments = {}
    for name, kind, order in DEPARTMENTS:
        dept, new = Department.objects.get_or_create(name=name, defaults={"kind": kind, "sort_order": order})
        departments[name] = dept
        created += new
    users = {}
    for username, name, dept, title, roles in PEOPLE:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username,
                name=name,
                department=departments[dept],
                title=title,
                email=f"{username}@school.example",
            )
            user.password = demo_password()
            user.save()
            created += 1
        users[username] = user
        for role, headed in roles:
            _, new = RoleAssignment.objects.get_or_create(
                user=user, role=role, department=departments[headed] if headed else None
            )
            created += new
    if not User.objects.filter(username="admin").exists():
        admin = User.objects.create_superuser("admin", "admin@school.example", None, name="系统管理员")
        User.objects.filter(pk=admin.pk).update(password=demo_password())
        created += 1
    for code, (chair, members, observers) in BODIES.items():
        body = MeetingBody.objects.get(code=code)
        if body.chair_id is None:
            body.chair = users[chair]
            body.save(update_fields=["chair"])
            created += 1
        for username in members:
            _, new = BodyMember.objects.get_or_create(
                body=body, user=users[username], defaults={"kind": BodyMember.Kind.MEMBER}
            )
            created += new
        for username in observers:
            _, new = BodyMember.objects.get_or_create(
                body=body, user=users[username], defaults={"kind": BodyMember.Kind.OBSERVER}
            )
            created += new
    return created
