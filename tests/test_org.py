"""The school's people, departments, roles and meeting bodies (org/): models, reads, sign-in, admin."""

import pytest
from django.contrib.auth import authenticate
from django.db import IntegrityError, transaction
from django.test import Client

from core import audit
from core.models import AuditEvent
from demo.people import BODIES, PASSWORD, PEOPLE, seed_org
from org import access, selectors
from org.backends import YishiBackend, with_assignments
from org.models import LEADER_ROLES, BodyMember, Department, MeetingBody, Role, RoleAssignment, User
from supervision.services.task_notify import department_heads

# --- roles and the helpers that read them ---------------------------------------------------------


@pytest.mark.parametrize(("username", "name", "dept", "title", "roles"), PEOPLE)
def test_each_demo_account_has_its_roles_and_department(people, username, name, dept, title, roles):
    user = people(username)
    assert (user.name, user.department.name, user.title) == (name, dept, title)
    assert user.roles == frozenset(role for role, _headed in roles)
    assert user.is_leader == bool(user.roles & LEADER_ROLES)
    headed = {d for _role, d in roles if d}
    assert user.headed_department_ids == frozenset(
        Department.objects.filter(name__in=headed).values_list("pk", flat=True)
    )


def test_has_role_asks_any_of_the_roles(people):
    principal = people("principal")
    assert principal.has_role(Role.PRINCIPAL)
    assert principal.has_role(Role.STAFF, Role.PO_MEMBER)
    assert not principal.has_role(Role.SECRETARY, Role.DISCIPLINE)


def test_a_role_granted_is_seen_on_the_next_load(people):
    teacher = people("teacher")
    assert not teacher.is_leader
    RoleAssignment.objects.create(user=teacher, role=Role.PO_MEMBER)
    assert people("teacher").is_leader
    assert not teacher.is_leader  # the loaded person keeps the roles it was loaded with


def test_an_unsaved_person_has_no_roles(db):
    assert User(username="new").roles == frozenset()


def test_a_department_head_needs_the_department(people):
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(user=people("teacher"), role=Role.DEPT_HEAD)


def test_a_role_is_held_once(people):
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(user=people("staff"), role=Role.STAFF)


def test_the_names_read_as_the_school_writes_them(people):
    depthead = people("depthead")
    assignment = RoleAssignment.objects.get(user=depthead, role=Role.DEPT_HEAD)
    assert str(depthead) == "吴晓东"
    assert str(assignment) == "吴晓东 · 部门负责人（教务处）"
    assert str(User(username="nobody")) == "nobody"
    member = BodyMember.objects.get(body__code="PC", user=people("member1"))
    assert str(member) == "党委会 · 张卫东 · 成员"


def test_department_heads_are_the_active_heads_of_that_department(people):
    finance = Department.objects.get(name="财务处")
    assert [u.username for u in department_heads(finance.pk)] == ["finance"]
    User.objects.filter(username="finance").update(is_active=False)
    assert department_heads(finance.pk) == []


# --- meeting bodies ------------------------------------------------------------------------------


@pytest.mark.parametrize("code", sorted(BODIES))
def test_each_body_has_its_chair_members_and_observers(people, code):
    chair, members, observers = BODIES[code]
    body = MeetingBody.objects.get(code=code)
    assert body.chair.username == chair
    kinds = {m.user.username: m.kind for m in body.members.select_related("user")}
    assert kinds == {
        **dict.fromkeys(members, BodyMember.Kind.MEMBER),
        **dict.fromkeys(observers, BodyMember.Kind.OBSERVER),
    }


def test_leaders_are_the_active_people_with_a_leader_role(people):
    assert [u.username for u in selectors.leaders()] == sorted(
        ["secretary", "principal", "member1", "member2", "vice", "discipline"]
    )
    User.objects.filter(username="vice").update(is_active=False)
    assert "vice" not in [u.username for u in selectors.leaders()]


@pytest.mark.parametrize(
    ("username", "codes"),
    [
        ("secretary", {"PC", "CG"}),  # member and chair; the central group too
        ("principal", {"PC", "PO", "SA", "AS", "CG"}),  # chairs PO, SA and AS
        ("discipline", {"PC", "PO", "SA", "CG"}),  # observer; a member of the central group
        ("partyoffice", {"PC", "CG"}),  # the secretary office of PC and the central group
        ("affairsoffice", {"PO", "SA", "AS"}),  # the others' secretary office
        ("finance", {"SA"}),
        ("teacher", set()),
    ],
)
def test_the_bodies_a_person_attends(people, username, codes):
    ids = access.bodies_attended_by(people(username))
    assert set(MeetingBody.objects.filter(pk__in=ids).values_list("code", flat=True)) == codes


@pytest.mark.parametrize(
    ("username", "codes"),
    [
        ("secretary", {"PC", "CG"}),
        ("principal", {"PO", "SA", "AS"}),
        ("partyoffice", {"PC", "CG"}),
        ("affairsoffice", {"PO", "SA", "AS"}),
        ("member1", set()),
        ("admin", set()),  # the administrator keeps the system, not the meetings
    ],
)
def test_who_organises_a_body(people, username, codes):
    user = people(username)
    assert {b.code for b in MeetingBody.objects.all() if access.organizes_body(user, b)} == codes


def test_a_new_chair_organises_the_body_and_the_old_one_no_longer(people):
    body = MeetingBody.objects.get(code="PC")
    body.chair = people("principal")
    body.save()
    assert access.organizes_body(people("principal"), body)
    assert not access.organizes_body(people("secretary"), body)


# --- signing in ----------------------------------------------------------------------------------


def test_the_backend_loads_the_person_with_their_roles_in_one_query(people, django_assert_num_queries):
    depthead = people("depthead")
    expected = (depthead.roles, depthead.headed_department_ids)
    with django_assert_num_queries(1):
        user = YishiBackend().get_user(depthead.pk)
        assert (user.roles, user.headed_department_ids) == expected


def test_roles_read_from_the_joined_text_are_the_stored_ones(people):
    for user in with_assignments(User.objects.all()):
        stored = {(a.role, a.department_id) for a in RoleAssignment.objects.filter(user=user)}
        assert {(a.role, a.department_id) for a in user.assignments} == stored, user.username


def test_an_inactive_or_unknown_person_is_not_loaded(people):
    User.objects.filter(username="staff").update(is_active=False)
    assert YishiBackend().get_user(people("staff").pk) is None
    assert YishiBackend().get_user(999999) is None


def test_a_demo_account_signs_in_with_the_demo_password(people, client, rf):
    assert authenticate(rf.post("/login/"), username="staff", password=PASSWORD) == people("staff")
    assert authenticate(rf.post("/login/"), username="staff", password="wrong") is None
    response = client.post("/login/", {"username": "staff", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").wsgi_request.user.username == "staff"


# --- the demo seeding and its copy in the tests ----------------------------------------------------


def test_seeding_again_changes_nothing(school):
    assert seed_org() == 0


def test_the_school_fixture_is_what_seeding_writes(school):
    """The school fixture copies seed_org's rows after the first test (tests/conftest.py): the copy
    must be the same school."""

    def state():
        return (
            sorted(Department.objects.values_list("name", "kind", "sort_order")),
            sorted(User.objects.values_list("username", "name", "department__name", "title", "is_superuser")),
            sorted(RoleAssignment.objects.values_list("user__username", "role", "department__name")),
            sorted(MeetingBody.objects.values_list("code", "chair__username", "secretary_role", "decides")),
            sorted(BodyMember.objects.values_list("body__code", "user__username", "kind")),
        )

    copied = state()
    with transaction.atomic():
        for model in (BodyMember, RoleAssignment):
            model.objects.all().delete()
        MeetingBody.objects.update(chair=None)
        User.objects.all().delete()
        Department.objects.all().delete()
        seed_org()
        assert state() == copied
        transaction.set_rollback(True)


# --- the admin -------------------------------------------------------------------------------------


@pytest.fixture
def admin_client(people):
    client = Client()
    client.force_login(people("admin"))
    return client


def test_the_administrator_adds_a_department_on_record(admin_client):
    response = admin_client.post(
        "/admin/org/department/add/", {"name": "学生工作处", "kind": "office", "sort_order": 12, "active": "on"}
    )
    assert response.status_code == 302
    dept = Department.objects.get(name="学生工作处")
    assert audit.history_of(dept).filter(actor__username="admin").exists()


def test_the_administrator_changes_a_bodys_chair_on_record(admin_client, people):
    body = MeetingBody.objects.get(code="PC")
    page = admin_client.get(f"/admin/org/meetingbody/{body.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {k: ("" if v is None else v) for k, v in form.initial.items() if k in form.fields}
    data.update({"chair": people("principal").pk, "decides": "on" if body.decides else ""})
    data = {k: v for k, v in data.items() if v != ""}
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        prefix = formset.formset.prefix
        kept = management.initial["INITIAL_FORMS"]
        data.update({f"{prefix}-{k}": v for k, v in management.initial.items()})
        data[f"{prefix}-TOTAL_FORMS"] = kept  # no new rows
        for i, f in enumerate(formset.formset.forms[:kept]):
            data.update({f"{prefix}-{i}-{k}": v for k, v in f.initial.items() if v is not None})
            data[f"{prefix}-{i}-id"] = f.instance.pk
    before = AuditEvent.objects.count()
    response = admin_client.post(f"/admin/org/meetingbody/{body.pk}/change/", data)
    if response.status_code != 302:
        errors = [response.context["adminform"].form.errors]
        errors += [f.errors for fs in response.context["inline_admin_formsets"] for f in fs.formset.forms]
        errors += [fs.formset.non_form_errors() for fs in response.context["inline_admin_formsets"]]
        raise AssertionError(errors)
    body.refresh_from_db()
    assert body.chair.username == "principal"
    assert AuditEvent.objects.count() > before
    assert audit.history_of(body).latest("pk").actor.username == "admin"
