"""Who may read and fill in the party-building report: answered here only.

The report is 晾晒 (put on show): every leader, the party office and every department head
reads the whole table, all departments side by side; other staff do not. Values are entered by
a department's head for that department, or by the party office （党委办公室） for any of them.
"""

from django.utils.translation import gettext as _

from core.errors import forbidden
from org.models import Department, Role, User


def can_read(user: User) -> bool:
    return user.is_authenticated and (user.is_leader or user.has_role(Role.PARTY_OFFICE, Role.DEPT_HEAD))


def is_concerned(department: Department) -> bool:
    """The departments the report is about: all of them but the 校领导 group."""
    return department.active and department.kind != Department.Kind.LEADERSHIP


def can_enter(user: User, department: Department) -> bool:
    if not user.is_authenticated or not is_concerned(department):
        return False
    return user.has_role(Role.PARTY_OFFICE) or department.pk in user.headed_department_ids


def check_enter(user: User, department: Department) -> None:
    if not is_concerned(department):
        raise forbidden(_("%(department)s不在党建工作报表的填报范围内") % {"department": department})
    if not can_enter(user, department):
        raise forbidden(_("只有本部门负责人或党委办公室可以填报%(department)s的报表") % {"department": department})


def enterable_department_ids(user: User, department_ids) -> frozenset[int]:
    """Of `department_ids` (all concerned), those `user` may fill in (for the table's links)."""
    if not user.is_authenticated:
        return frozenset()
    if user.has_role(Role.PARTY_OFFICE):
        return frozenset(department_ids)
    return frozenset(department_ids) & user.headed_department_ids


def can_answer_flag(user: User, department: Department) -> bool:
    """A flagged value is explained by whoever may fill the department in."""
    return can_enter(user, department)


def check_answer_flag(user: User, department: Department) -> None:
    if not can_answer_flag(user, department):
        raise forbidden(_("只有本部门负责人或党委办公室可以说明%(department)s的异常值") % {"department": department})
