"""The party-building report's flagged values (异常值、未填报) with the explanations their
departments gave (FlagAnswer), read from a stage's table (reports.selectors.stage_table)."""

from dataclasses import dataclass, field

from org.models import Department
from reports.models import FlagAnswer, ReportSettings
from reports.selectors import Cell, StageTable, flag_reason


@dataclass(frozen=True)
class FlaggedValue:
    department: Department
    cell: Cell
    settings: ReportSettings
    answers: list = field(default_factory=list)

    @property
    def reason(self) -> str:
        return flag_reason(self.cell.flag, self.settings, self.cell.group)

    @property
    def anchor(self) -> str:
        return f"flag-{self.department.pk}-{self.cell.indicator.pk}"


def flagged_values(table: StageTable, *, department_ids=None) -> list[FlaggedValue]:
    """Every flagged value of the table (of `department_ids` only, if given), with the
    explanations its department gave for it, oldest first. One query."""
    answers: dict[tuple[int, int], list[FlagAnswer]] = {}
    rows = FlagAnswer.objects.filter(year=table.year, stage=table.stage).select_related("answered_by")
    if department_ids is not None:
        rows = rows.filter(department__in=department_ids)
    for a in rows.order_by("id"):
        answers.setdefault((a.department_id, a.indicator_id), []).append(a)
    return [
        FlaggedValue(row.department, cell, table.settings, answers.get((row.department.pk, cell.indicator.pk), []))
        for row in table.rows
        if department_ids is None or row.department.pk in department_ids
        for cell in row.cells
        if cell.flag
    ]
