"""Cells for exported spreadsheets: text never becomes a formula.

A spreadsheet reads a cell that begins with =, +, -, @, a tab or a carriage return as a formula
(or the start of one), and what people type reaches exports: a letter's subject becomes a task
title, an escalation reason, a department's name. Every export writes its cells through here: such
text gets a leading apostrophe (OWASP, CSV injection) and is stored as text; numbers, dates and
other text are left as they are.
"""

import io

from openpyxl import Workbook

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """`value` as an exported cell may hold it: hostile text prefixed with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def workbook_bytes(wb: Workbook) -> bytes:
    """The workbook as .xlsx, every text cell neutralised and typed as text (openpyxl types a
    string that begins with "=" as a formula, whoever put it there)."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.value = safe_cell(cell.value)
                    cell.data_type = "s"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
