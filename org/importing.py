"""Departments, people, roles, meeting-body membership and the leaders in charge (分管) from the
staff workbook (人员导入).

`run_import` reads every sheet in one transaction, in the order of `org.resources.SHEETS`, so a
person may name a department added a sheet earlier. A preview runs the very same import and rolls
it back; applying it keeps it only if no row of any sheet was refused: a workbook is taken whole
or not at all. Each created or changed record gets its audit row, by the administrator who applied
(the 分管 rows get theirs from the service that writes them).
"""

import io
import zipfile
from dataclasses import dataclass, field

import tablib
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from core import audit
from core.exports import workbook_bytes
from org.resources import SHEETS, DateCellWidget

MAX_ROWS = 20000


class WorkbookError(ValueError):
    """The file is not a staff workbook at all (not .xlsx, unknown sheets or columns)."""


@dataclass
class RowProblem:
    row: int  # as Excel numbers it: the heading is row 1
    messages: list[str]


@dataclass
class SheetReport:
    name: str
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[RowProblem] = field(default_factory=list)


@dataclass
class ImportReport:
    sheets: list[SheetReport]
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not any(sheet.problems for sheet in self.sheets)

    @property
    def changes(self) -> int:
        return sum(sheet.new + sheet.updated for sheet in self.sheets)


def template_bytes() -> bytes:
    """The empty workbook to fill in: one sheet per resource, its headings, and what a cell may hold."""
    wb = Workbook()
    wb.remove(wb.active)
    with translation.override("zh-hans"):
        for name, resource_class in SHEETS:
            ws = wb.create_sheet(name)
            ws.append(resource_class().headers())
        notes = wb.create_sheet("填写说明")
        for line in [
            "每个工作表第一行为列名，请勿修改；从第二行起每行一条。",
            "部门：类型填“校领导”“职能部门”“二级学院”或“党支部”；上级填另一部门的名称（党支部填所属党总支）。",
            "人员：工号即登录名，不可重复；在职填“否”即停用该账号（不会删除，记录保留）。",
            "角色：角色填“党委书记”“校长”“党委委员”“校长办公会成员”“纪委书记”“党委办公室”“校务办”“部门负责人”或“教职工”；"
            "部门负责人须填负责部门。",
            "会议机构成员：会议机构填“党委会”“校长办公会”等名称；身份填“成员”或“列席”。",
            "分管：分管校领导工号填一位校领导（须在“角色”中有党委书记、校长、党委委员、校长办公会成员或纪委书记的角色）；"
            "日期写成 2026-09-01。同一部门换人时新增一行，原分管自动截止于前一天；截止日期留空表示至下一任或至今，"
            "只在分管结束且无人接任时填写。已有的分管记录不会被删除。",
            "导入前先预览：有任何一行出错，整个文件都不会导入。",
        ]:
            notes.append([line])
    return workbook_bytes(wb)


def read_workbook(content: bytes) -> dict[str, tuple[tablib.Dataset, list[int]]]:
    """Each known sheet as a dataset, with the Excel row number of each of its rows."""
    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise WorkbookError(_("无法读取该文件：请上传用导入模板填写的 .xlsx 文件。")) from exc
    known = dict(SHEETS)
    unknown = [name for name in wb.sheetnames if name not in known and name != "填写说明"]
    if unknown:
        raise WorkbookError(
            _("工作表“%(sheets)s”不是导入模板中的工作表（应为：%(known)s）。")
            % {"sheets": "、".join(unknown), "known": "、".join(known)}
        )
    sheets = {}
    with translation.override("zh-hans"):
        for name, resource_class in SHEETS:
            if name not in wb.sheetnames:
                continue
            rows = wb[name].iter_rows(values_only=True)
            headers = [str(h).strip() if h is not None else "" for h in next(rows, [])]
            while headers and not headers[-1]:
                headers.pop()
            expected = resource_class().headers()
            missing = [h for h in expected if h not in headers]
            extra = [h for h in headers if h not in expected]
            if missing or extra:
                raise WorkbookError(
                    _("工作表“%(sheet)s”的列名与模板不符：%(detail)s。请使用导入模板。")
                    % {
                        "sheet": name,
                        "detail": "；".join(
                            [_("缺少“%s”") % "、".join(missing)] * bool(missing)
                            + [_("多出“%s”") % "、".join(extra)] * bool(extra)
                        ),
                    }
                )
            dataset, numbers = tablib.Dataset(headers=headers), []
            for excel_row, values in enumerate(rows, start=2):
                values = list(values[: len(headers)]) + [None] * (len(headers) - len(values))
                if all(v is None or str(v).strip() == "" for v in values):
                    continue
                dataset.append(values)
                numbers.append(excel_row)
                if len(numbers) > MAX_ROWS:
                    raise WorkbookError(
                        _("工作表“%(sheet)s”超过 %(max)s 行，请分批导入。") % {"sheet": name, "max": MAX_ROWS}
                    )
            sheets[name] = (dataset, numbers)
    return sheets


def _parents_first(dataset: tablib.Dataset, numbers: list[int]) -> tuple[tablib.Dataset, list[int]]:
    """Departments in an order where each one's 上级 in the same sheet comes before it."""
    if "名称" not in dataset.headers or "上级" not in dataset.headers:
        return dataset, numbers
    name_at, parent_at = dataset.headers.index("名称"), dataset.headers.index("上级")

    def cell(row, at) -> str:
        return str(row[at] or "").strip()

    rows = list(zip(dataset, numbers, strict=True))
    waiting = {cell(row, name_at) for row, _n in rows}  # named in the sheet, not yet placed
    ordered = []
    while rows:
        # A row is ready once its parent is placed (or is not in the sheet, or is itself).
        ready = [(row, n) for row, n in rows if cell(row, parent_at) not in waiting - {cell(row, name_at)}]
        ready = ready or rows  # a loop of parents: leave them, each row then reports its missing parent
        for row, _n in ready:
            waiting.discard(cell(row, name_at))
        ordered += ready
        rows = [pair for pair in rows if pair not in ready]
    result = tablib.Dataset(headers=dataset.headers)
    for row, _n in ordered:
        result.append(row)
    return result, [n for _row, n in ordered]


def _earliest_first(dataset: tablib.Dataset, numbers: list[int]) -> tuple[tablib.Dataset, list[int]]:
    """分管 periods in date order, so a department's history is applied as it happened: each new
    leader in charge ends the one before. A date that cannot be read goes last (its row is refused)."""
    if "起始日期" not in dataset.headers:
        return dataset, numbers
    at, widget = dataset.headers.index("起始日期"), DateCellWidget()

    def when(pair) -> tuple[int, object]:
        try:
            return (0, widget.clean(pair[0][at]))
        except ValueError:
            return (1, pair[1])

    ordered = sorted(zip(dataset, numbers, strict=True), key=when)
    result = tablib.Dataset(headers=dataset.headers)
    for row, _n in ordered:
        result.append(row)
    return result, [n for _row, n in ordered]


def _problems(result, numbers: list[int], headers: dict[str, str], model) -> list[RowProblem]:
    problems = []
    for invalid in result.invalid_rows:
        messages = []
        for attribute, errors in invalid.error_dict.items():
            column = headers.get(attribute, "")
            if not column and attribute in {f.name for f in model._meta.fields}:
                column = str(model._meta.get_field(attribute).verbose_name)
            for message in errors:
                messages.append(f"{column}：{message}" if column else str(message))
        problems.append(RowProblem(row=numbers[invalid.number - 1], messages=messages))
    for number, errors in result.row_errors():
        problems.append(
            RowProblem(
                row=numbers[number - 1], messages=[_("无法保存：%(error)s") % {"error": e.error} for e in errors]
            )
        )
    return sorted(problems, key=lambda p: p.row)


def run_import(content: bytes, *, actor, apply: bool) -> ImportReport:
    """Preview (apply=False) or apply the workbook; raises WorkbookError for a file that is not one."""
    sheets = read_workbook(content)
    reports = []
    touched: dict[str, list] = {"import.create": [], "import.update": []}
    with translation.override("zh-hans"), transaction.atomic():
        for name, resource_class in SHEETS:
            report = SheetReport(name=name)
            reports.append(report)
            if name not in sheets:
                continue
            dataset, numbers = _earliest_first(*_parents_first(*sheets[name]))
            resource = resource_class()
            headers = {f.attribute: f.column_name for f in resource.get_import_fields()}
            result = resource.import_data(
                dataset,
                dry_run=False,
                use_transactions=False,
                raise_errors=False,
                collect_failed_rows=True,
                retain_instance_in_row_result=True,
                actor=actor,
            )
            report.problems = _problems(result, numbers, headers, resource._meta.model)
            audited = resource.audited_by_service
            for row in result.rows:
                if row.import_type == row.IMPORT_TYPE_NEW:
                    report.new += 1
                    if not audited:
                        touched["import.create"].append(row.instance)
                elif row.import_type == row.IMPORT_TYPE_UPDATE:
                    report.updated += 1
                    if not audited:
                        touched["import.update"].append(row.instance)
                elif row.import_type == row.IMPORT_TYPE_SKIP:
                    report.unchanged += 1
        import_report = ImportReport(sheets=reports)
        if apply and import_report.ok:
            for verb, targets in touched.items():
                if targets:
                    audit.record_each(actor=actor, verb=verb, targets=targets)
            import_report.applied = True
        else:
            transaction.set_rollback(True)
    return import_report
