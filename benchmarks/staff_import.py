"""人员导入 at the seed school's scale: preview and apply times for one workbook.

    .venv/bin/python benchmarks/staff_import.py                 # a new SQLite file of its own
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yishi_import .venv/bin/python benchmarks/staff_import.py

The workbook: the Party committee's offices and colleges, 8 general branches (党总支) with 28
branches (党支部) under them, --staff people (600 by default) each with a role, the department
heads, the members of the PC and PO, and five school leaders each in charge (分管) of some offices
and colleges. The database is migrated first (for PostgreSQL, an existing empty database named in
DATABASE_URL). Prints rows per sheet, the seconds of a preview, of applying, and of a second apply
of the same file (all unchanged).
"""

import argparse
import io
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OFFICES = ["党委办公室", "校长办公室", "组织人事处", "教务处", "学生工作处", "财务处", "后勤保卫处", "科研处"]
COLLEGES = ["智能制造学院", "信息工程学院", "经济管理学院", "艺术设计学院", "汽车工程学院", "基础部"]


def seed_school(staff: int) -> dict[str, list[list]]:
    departments = [[name, "职能部门", "", n, "是"] for n, name in enumerate(OFFICES, 1)]
    departments += [[name, "二级学院", "", 20 + n, "是"] for n, name in enumerate(COLLEGES, 1)]
    departments += [[f"第{g}党总支", "党支部", "", 40 + g, "是"] for g in range(1, 9)]
    departments += [[f"第{b}党支部", "党支部", f"第{(b - 1) % 8 + 1}党总支", 50 + b, "是"] for b in range(1, 29)]
    homes = OFFICES + COLLEGES
    people, roles = [], []
    for n in range(staff):
        username = f"{20000 + n}"
        people.append([username, f"教职工{n:03d}", homes[n % len(homes)], "教师", f"{username}@school.example", "是"])
        roles.append([username, "教职工", ""])
    for n, home in enumerate(homes):  # the first person of each department heads it
        roles.append([people[n][0], "部门负责人", home])
    members = [["党委会", people[n][0], "成员"] for n in range(7)] + [
        ["校长办公会", people[n][0], "成员"] for n in range(9)
    ]
    leaders = [f"L{n:02d}" for n in range(1, 6)]  # five school leaders, each in charge of some departments
    for n, username in enumerate(leaders):
        people.append([username, f"校领导{n + 1}", "党委办公室", "副校长", "", "是"])
        roles.append([username, "校长办公会成员", ""])
    portfolios = [[home, leaders[n % len(leaders)], "2025-09-01", ""] for n, home in enumerate(homes)]
    return {"部门": departments, "人员": people, "角色": roles, "会议机构成员": members, "分管": portfolios}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--staff", type=int, default=600)
    args = parser.parse_args()
    tmp = tempfile.TemporaryDirectory()
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp.name}/import.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from openpyxl import Workbook, load_workbook

    from org import importing
    from org.models import User

    call_command("migrate", verbosity=0)
    admin = User.objects.create_superuser(username="bench-admin", password="x")  # noqa: S106 - a throwaway database
    template = load_workbook(io.BytesIO(importing.template_bytes()))
    wb = Workbook()
    wb.remove(wb.active)
    data = seed_school(args.staff)
    for name, rows in data.items():
        ws = wb.create_sheet(name)
        ws.append([c.value for c in template[name][1]])
        for row in rows:
            ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    content = out.getvalue()
    print(f"database: {django.db.connection.vendor}; workbook {len(content) / 1024:.0f} KB")
    print("rows: " + ", ".join(f"{name} {len(rows)}" for name, rows in data.items()))
    for label, apply in [("preview", False), ("apply", True), ("apply again (unchanged)", True)]:
        started = time.perf_counter()
        report = importing.run_import(content, actor=admin, apply=apply)
        seconds = time.perf_counter() - started
        assert report.ok, [p for s in report.sheets for p in s.problems][:5]
        print(f"{label:>24}: {seconds:6.2f} s  ({report.changes} new or changed)")


if __name__ == "__main__":
    main()
