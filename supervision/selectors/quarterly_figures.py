"""The quarterly report's counts as figures: each linked (on the page) to the list of what it
counts (dashboard.selectors.drill, 数字可点开), and what the page and the PDF render from."""

from dataclasses import dataclass

from core.figures import Figure, figure_url
from core.pages import get_page
from supervision.selectors.branches import BranchAverage
from supervision.selectors.quarterly import QuarterReport, Tally

MEASURES = ("total", "closed", "on_time", "still_open", "overdue_open")


@dataclass(frozen=True)
class TallyFigures:
    tally: Tally
    total: Figure
    closed: Figure
    on_time: Figure
    still_open: Figure
    overdue_open: Figure


@dataclass(frozen=True)
class ReportFigures:
    """The report's counts, each linked (on the page) to the list of what it counts: the figure
    lists of 学校数据 for the quarter (数字可点开), which count the same rows."""

    total: TallyFigures
    by_track: list[TallyFigures]
    by_department: list[TallyFigures]
    escalations: Figure
    escalation_levels: list[tuple[str, Figure]]
    letters: Figure
    letters_replied: Figure
    letters_tasked: Figure
    findings: Figure
    findings_tasked: Figure
    branch_checks: Figure
    branch_rows: list[tuple[BranchAverage, Figure]]


def report_figures(report: QuarterReport, *, links: bool) -> ReportFigures:
    period = {"year": report.period.year, "part": f"q{report.period.quarter}"}

    def fig(value: int, kind: str, **params) -> Figure:
        return Figure(value, figure_url(f"quarterly-{kind}", **period, **params) if links else "")

    def tally(t: Tally, **key) -> TallyFigures:
        return TallyFigures(
            t, *(fig(getattr(t, m), "tasks", measure=m if m != "total" else None, **key) for m in MEASURES)
        )

    return ReportFigures(
        total=tally(report.total),
        by_track=[tally(t, track=t.key) for t in report.by_track],
        by_department=[tally(t, lead=t.key) for t in report.by_department],
        escalations=fig(len(report.escalations), "escalations"),
        escalation_levels=[(label, fig(n, "escalations", level=level)) for level, label, n in report.escalation_counts],
        letters=fig(report.letters, "letters"),
        letters_replied=fig(report.letters_replied, "letters", replied=1),
        letters_tasked=fig(report.letters_tasked, "letters", tasked=1),
        findings=fig(report.findings, "findings"),
        findings_tasked=fig(report.findings_tasked, "findings", tasked=1),
        branch_checks=fig(report.branch_checks, "branch-checks"),
        branch_rows=[(b, fig(b.checks, "branch-checks", branch=b.branch.pk)) for b in report.branch_rows],
    )


def report_context(report: QuarterReport, *, links: bool, overdue_page=None, per_page: int | None = None) -> dict:
    """What the page and the PDF render the report's sections from (the Excel file reads the same
    `report.overdue`): section 四 lists `per_page` overdue tasks from page `overdue_page`, or all
    of them on one page when `per_page` is None (the PDF), so no document can list fewer. With
    `links`, each count links to the list of what it counts."""
    per_page = per_page or max(len(report.overdue), 1)
    return {
        "report": report,
        "overdue": get_page(report.overdue, per_page, overdue_page),
        "links": links,
        "figures": report_figures(report, links=links),
    }
