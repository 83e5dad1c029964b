"""人员导入: the staff workbook previews without keeping anything, applies whole or not at all,
refuses each bad row with a Chinese reason and its Excel row number, and never deletes a person."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from core.models import AuditEvent
from org import importing
from org.access import leader_in_charge
from org.models import BodyMember, Department, MeetingBody, Portfolio, Role, RoleAssignment, User


def workbook(sheets: dict[str, list[list]]) -> bytes:
    """A workbook as the template has it: each sheet's headings, then the rows given."""
    template = load_workbook(io.BytesIO(importing.template_bytes()))
    wb = Workbook()
    wb.remove(wb.active)
    for name in [n for n in template.sheetnames if n != "填写说明"]:
        ws = wb.create_sheet(name)
        ws.append([c.value for c in template[name][1]])
        for row in sheets.get(name, []):
            ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def school(staff: int = 40, branches: int = 6) -> dict[str, list[list]]:
    """A school shaped like the seed's: general branches with branches under them, offices, staff."""
    departments = [["教务处", "职能部门", "", 1, "是"], ["智能制造学院", "二级学院", "", 2, "是"]]
    for g in range(1, 3):
        departments.append([f"第{g}党总支", "党支部", "", 10 + g, "是"])
    for b in range(1, branches + 1):
        # Listed before their general branch on purpose: the import orders parents first itself.
        departments.insert(0, [f"第{b}党支部", "党支部", f"第{1 + b % 2}党总支", 20 + b, "是"])
    people = [[f"T{n:04d}", f"教师{n}", "教务处" if n % 2 else "智能制造学院", "教师", "", "是"] for n in range(staff)]
    people.append(["H0001", "吴主任", "教务处", "处长", "wu@school.example", "是"])
    people.append(["L0001", "李副校长", "教务处", "副校长", "", "是"])
    roles = [["H0001", "部门负责人", "教务处"], ["T0001", "教职工", ""], ["L0001", "校长办公会成员", ""]]
    members = [["党委会", "H0001", "列席"]]
    portfolios = [["教务处", "L0001", dt.date(2025, 9, 1), ""]]
    return {"部门": departments, "人员": people, "角色": roles, "会议机构成员": members, "分管": portfolios}


@pytest.fixture
def administrator(db):
    return User.objects.create_superuser(username="root", password="Correct-horse-42", name="管理员")


def test_a_preview_shows_what_would_change_and_keeps_nothing(administrator):
    before = (Department.objects.count(), User.objects.count(), Portfolio.objects.count(), AuditEvent.objects.count())
    report = importing.run_import(workbook(school()), actor=administrator, apply=False)
    assert report.ok and not report.applied
    counts = {s.name: (s.new, s.updated, len(s.problems)) for s in report.sheets}
    assert counts == {
        "部门": (10, 0, 0),
        "人员": (42, 0, 0),
        "角色": (3, 0, 0),
        "会议机构成员": (1, 0, 0),
        "分管": (1, 0, 0),
    }
    after = (Department.objects.count(), User.objects.count(), Portfolio.objects.count(), AuditEvent.objects.count())
    assert after == before


def test_applying_keeps_everything_with_its_audit_rows(administrator):
    report = importing.run_import(workbook(school()), actor=administrator, apply=True)
    assert report.applied and report.changes == 57
    branch = Department.objects.get(name="第3党支部")
    assert branch.kind == Department.Kind.BRANCH and branch.parent.name == "第2党总支"
    head = User.objects.get(username="H0001")
    assert head.name == "吴主任" and head.department.name == "教务处" and head.is_active
    assert not head.has_usable_password()  # signs in through the school's login or a reset link
    assert RoleAssignment.objects.filter(user=head, role=Role.DEPT_HEAD, department__name="教务处").exists()
    assert BodyMember.objects.get(user=head).kind == BodyMember.Kind.OBSERVER
    created = AuditEvent.objects.filter(verb="import.create", actor=administrator)
    assert created.filter(target_type="org.user", target_id=head.pk).exists()
    assert created.count() == 56  # the 分管 row has the service's own audit row instead
    portfolio = Portfolio.objects.get(department__name="教务处")
    assert (portfolio.leader.username, portfolio.starts_on, portfolio.ends_on) == ("L0001", dt.date(2025, 9, 1), None)
    assert AuditEvent.objects.filter(verb="portfolio.start", actor=administrator, target_id=portfolio.pk).exists()


def test_importing_the_same_file_again_changes_nothing(administrator):
    content = workbook(school())
    importing.run_import(content, actor=administrator, apply=True)
    report = importing.run_import(content, actor=administrator, apply=True)
    assert report.changes == 0
    unchanged = {s.name: s.unchanged for s in report.sheets}
    assert unchanged == {"部门": 10, "人员": 42, "角色": 3, "会议机构成员": 1, "分管": 1}


def test_a_person_who_left_is_deactivated_never_deleted(administrator):
    data = school()
    importing.run_import(workbook(data), actor=administrator, apply=True)
    data["人员"][3][5] = "否"
    leaver = data["人员"][3][0]
    report = importing.run_import(workbook(data), actor=administrator, apply=True)
    assert report.applied and {s.name: s.updated for s in report.sheets}["人员"] == 1
    person = User.objects.get(username=leaver)
    assert not person.is_active
    assert AuditEvent.objects.filter(verb="import.update", target_type="org.user", target_id=person.pk).exists()
    assert User.objects.filter(username__startswith="T").count() == 40


def test_bad_rows_are_named_in_chinese_and_nothing_is_half_applied(administrator):
    data = school()
    data["人员"].append(["T9999", "新教师", "不存在的处", "教师", "", "是"])
    data["人员"].append(["T9998", "", "教务处", "", "", "也许"])
    data["角色"].append(["H0001", "部门负责人", ""])
    data["角色"].append(["H0001", "班主任", ""])
    before = (Department.objects.count(), User.objects.count(), AuditEvent.objects.count())
    report = importing.run_import(workbook(data), actor=administrator, apply=True)
    assert not report.ok and not report.applied
    problems = {s.name: {p.row: "；".join(p.messages) for p in s.problems} for s in report.sheets}
    people_rows = len(data["人员"])
    assert "没有名为“不存在的处”的部门" in problems["人员"][people_rows]  # heading is row 1
    assert "“也许”应填“是”或“否”" in problems["人员"][people_rows + 1]
    role_rows = len(data["角色"])
    assert "部门负责人必须填写负责部门" in problems["角色"][role_rows]
    assert "角色：“班主任”不是可选的值" in problems["角色"][role_rows + 1]
    # The departments sheet was fine, and still nothing of it was kept.
    assert (Department.objects.count(), User.objects.count(), AuditEvent.objects.count()) == before


def test_a_departments_history_of_leaders_in_charge_is_applied_in_date_order(administrator):
    data = school()
    data["人员"].append(["L0002", "王副校长", "教务处", "副校长", "", "是"])
    data["角色"].append(["L0002", "党委委员", ""])
    # Listed newest first on purpose, with the dates typed as people type them.
    data["分管"] = [
        ["教务处", "L0002", "2026/3/1", ""],
        ["教务处", "L0001", "2025-09-01", ""],
        ["智能制造学院", "L0001", "2024年9月1日", "2025-08-31"],
    ]
    report = importing.run_import(workbook(data), actor=administrator, apply=True)
    assert report.applied, [p.messages for s in report.sheets for p in s.problems]
    office = Department.objects.get(name="教务处")
    assert leader_in_charge(office.pk, dt.date(2025, 12, 1)).username == "L0001"
    assert leader_in_charge(office.pk, dt.date(2026, 3, 1)).username == "L0002"
    earlier = Portfolio.objects.get(department=office, leader__username="L0001")
    assert earlier.ends_on == dt.date(2026, 2, 28)
    assert AuditEvent.objects.filter(verb="portfolio.end", actor=administrator, target_id=earlier.pk).exists()
    college = Portfolio.objects.get(department__name="智能制造学院")
    assert (college.starts_on, college.ends_on) == (dt.date(2024, 9, 1), dt.date(2025, 8, 31))
    assert leader_in_charge(college.department_id, dt.date(2025, 9, 1)) is None

    # The same history again: L0001's period ended when L0002 started; a blank 截止日期 leaves it so.
    again = importing.run_import(workbook(data), actor=administrator, apply=True)
    assert again.applied and {s.name: (s.new, s.updated, s.unchanged) for s in again.sheets}["分管"] == (0, 0, 3)
    assert Portfolio.objects.count() == 3


def test_a_later_workbook_ends_the_current_period_and_never_moves_an_ended_one(administrator):
    data = school()
    importing.run_import(workbook(data), actor=administrator, apply=True)
    data["分管"] = [["教务处", "L0001", "2025-09-01", "2026-01-31"]]
    report = importing.run_import(workbook(data), actor=administrator, apply=True)
    assert report.applied and {s.name: s.updated for s in report.sheets}["分管"] == 1
    period = Portfolio.objects.get(department__name="教务处")
    assert period.ends_on == dt.date(2026, 1, 31)
    assert AuditEvent.objects.filter(verb="portfolio.end", actor=administrator, target_id=period.pk).count() == 1

    data["分管"] = [["教务处", "L0001", "2025-09-01", "2026-06-30"]]
    report = importing.run_import(workbook(data), actor=administrator, apply=True)
    assert not report.applied
    (problem,) = next(s for s in report.sheets if s.name == "分管").problems
    assert problem.row == 2 and "已于2026-01-31截止，不能再修改" in problem.messages[0]
    assert Portfolio.objects.get(pk=period.pk).ends_on == dt.date(2026, 1, 31)


def test_bad_leader_in_charge_rows_are_named_and_nothing_is_kept(administrator):
    data = school()
    importing.run_import(workbook(data), actor=administrator, apply=True)
    data["分管"] += [
        ["教务处", "T0001", "2026-03-01", ""],  # row 3: a teacher, not a school leader
        ["智能制造学院", "L0001", "下学期", ""],  # row 4
        ["后勤处", "L0001", "2026-03-01", ""],  # row 5
        ["智能制造学院", "L0001", "2026-03-01", "2026-02-01"],  # row 6
        ["教务处", "L0001", "2024-09-01", "2025-12-31"],  # row 7: overlaps the current period
        ["教务处", "", "", ""],  # row 8
    ]
    data["人员"].append(["T9999", "新教师", "教务处", "教师", "", "是"])  # a fine row elsewhere
    before = (User.objects.count(), Portfolio.objects.count(), AuditEvent.objects.count())
    report = importing.run_import(workbook(data), actor=administrator, apply=True)
    assert not report.applied
    problems = {p.row: "；".join(p.messages) for p in next(s for s in report.sheets if s.name == "分管").problems}
    assert set(problems) == {3, 4, 5, 6, 7, 8}
    assert "教师1不是校领导班子成员，不能分管部门" in problems[3]
    assert "起始日期：“下学期”不是日期，请写成 2026-09-01" in problems[4]
    assert "分管部门：没有名为“后勤处”的部门" in problems[5]
    assert "截止日期不能早于起始日期" in problems[6]
    assert "新的分管起始日期须晚于现任分管的起始日期（2025-09-01）" in problems[7]
    assert "分管校领导工号：必须填写人员" in problems[8] and "起始日期：必须填写日期" in problems[8]
    assert (User.objects.count(), Portfolio.objects.count(), AuditEvent.objects.count()) == before
    assert Portfolio.objects.get(department__name="教务处").ends_on is None


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not a workbook", "无法读取该文件"),
        ("wrong-sheet", "不是导入模板中的工作表"),
        ("wrong-heading", "列名与模板不符：缺少“姓名”"),
    ],
)
def test_a_file_that_is_not_the_template_is_refused_with_the_reason(administrator, content, message):
    if content == "wrong-sheet":
        wb = Workbook()
        wb.active.title = "花名册"
        out = io.BytesIO()
        wb.save(out)
        content = out.getvalue()
    elif content == "wrong-heading":
        wb = load_workbook(io.BytesIO(workbook({})))
        wb["人员"]["B1"] = "名字"
        out = io.BytesIO()
        wb.save(out)
        content = out.getvalue()
    with pytest.raises(importing.WorkbookError, match=message):
        importing.run_import(content, actor=administrator, apply=False)


def test_the_admin_pages_preview_then_apply(client, administrator):
    client.force_login(administrator)
    template = client.get(reverse("admin:org_user_import_template"))
    assert template.status_code == 200
    sheets = load_workbook(io.BytesIO(template.content))
    assert sheets.sheetnames == ["部门", "人员", "角色", "会议机构成员", "分管", "填写说明"]
    assert [c.value for c in sheets["分管"][1]] == ["分管部门", "分管校领导工号", "起始日期", "截止日期"]
    assert "人员导入" in client.get(reverse("admin:org_user_changelist")).content.decode()

    upload = io.BytesIO(workbook(school(staff=5)))
    upload.name = "教职工.xlsx"
    preview = client.post(reverse("admin:org_user_import"), {"workbook": upload, "preview": "1"})
    page = preview.content.decode()
    assert preview.status_code == 200 and "预览：尚未导入" in page and "确认导入" in page
    assert not User.objects.filter(username="H0001").exists()

    applied = client.post(reverse("admin:org_user_import"), {"apply": "1"})
    assert applied.status_code == 302
    assert User.objects.filter(username="H0001", department__name="教务处").exists()
    # The kept file went with the apply: pressing it again asks for a new preview.
    again = client.post(reverse("admin:org_user_import"), {"apply": "1"}, follow=True)
    assert "预览已失效" in again.content.decode()


def test_a_wrong_file_rerenders_the_form_with_its_reason(client, administrator):
    client.force_login(administrator)
    upload = io.BytesIO(b"name,dept\n")
    upload.name = "staff.csv"
    response = client.post(reverse("admin:org_user_import"), {"workbook": upload, "preview": "1"})
    assert response.status_code == 400
    assert "请上传 .xlsx 文件" in response.content.decode()


def test_only_the_administrator_imports(client, db):
    office = User.objects.create_user(username="office", password="x", is_staff=True)
    RoleAssignment.objects.create(user=office, role=Role.PARTY_OFFICE)
    client.force_login(office)
    assert client.get(reverse("admin:org_user_import")).status_code == 403
    assert client.get(reverse("admin:org_user_import_template")).status_code == 403
    assert MeetingBody.objects.filter(name="党委会").exists()  # the sheet's body names are these
