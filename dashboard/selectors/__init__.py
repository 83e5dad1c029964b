"""Reads of the one screen （一屏晾晒）： the personal dashboard and the school's figures."""

from dashboard.selectors.personal import Personal, Section, personal_dashboard
from dashboard.selectors.school import Period, SchoolFigures, school_figures

__all__ = ["Period", "Personal", "SchoolFigures", "Section", "personal_dashboard", "school_figures"]
