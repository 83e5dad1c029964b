"""The staff workbook's sheets as django-import-export resources: Chinese column headings, Chinese
values (类型、角色、身份 by their labels, 是/否), and a Chinese reason for every refused cell.

Rows are matched on what the school itself uses as a key: a department by its name, a person by
the staff number (工号, the username), a role by person, role and department, a membership by body
and person, a leader in charge (分管) by department, leader and start date. Nothing here deletes:
a person who has left is marked 在职=否 and deactivated, a period in charge that ended gets its
截止日期. The 分管 sheet writes through `org.services`, which keeps a department's periods from
overlapping and writes their audit rows.
"""

import datetime as dt

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _
from import_export import fields, instance_loaders, resources, widgets

from core.errors import InvalidTransition
from org import services
from org.models import BodyMember, Department, MeetingBody, Portfolio, Role, RoleAssignment, User

YES = ("是", "1", "true", "True", "TRUE", "y", "Y")
NO = ("否", "0", "false", "False", "FALSE", "n", "N")


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():  # Excel turns 工号 1001 into 1001.0
        value = int(value)
    return str(value).strip()


class TextWidget(widgets.CharWidget):
    def clean(self, value, row=None, **kwargs):
        return _text(value)


class LabelWidget(widgets.Widget):
    """A choice written as the office writes it (党支部, 部门负责人); the stored code is accepted too."""

    def __init__(self, choices, *, required=True):
        super().__init__()
        self.choices = list(choices)
        self.required = required

    def clean(self, value, row=None, **kwargs):
        value = _text(value)
        labels = {str(label): code for code, label in self.choices}
        if not value:
            if self.required:
                raise ValueError(_("必须填写，可选：%(options)s") % {"options": "、".join(labels)})
            return None
        if value in labels:
            return labels[value]
        if value in dict(self.choices):
            return value
        raise ValueError(
            _("“%(value)s”不是可选的值，可选：%(options)s") % {"value": value, "options": "、".join(labels)}
        )

    def render(self, value, obj=None, **kwargs):
        return str(dict(self.choices).get(value, value or ""))


class YesNoWidget(widgets.Widget):
    def __init__(self, default=True):
        super().__init__()
        self.default = default

    def clean(self, value, row=None, **kwargs):
        value = _text(value)
        if not value:
            return self.default
        if value in YES:
            return True
        if value in NO:
            return False
        raise ValueError(_("“%(value)s”应填“是”或“否”") % {"value": value})

    def render(self, value, obj=None, **kwargs):
        return "是" if value else "否"


class DateCellWidget(widgets.Widget):
    """A date as Excel keeps it (a date cell) or as people type it (2026-09-01, 2026/9/1, 2026年9月1日)."""

    FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日")

    def __init__(self, *, required=True):
        super().__init__()
        self.required = required

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        text = _text(value)
        if not text:
            if self.required:
                raise ValueError(_("必须填写日期"))
            return None
        for fmt in self.FORMATS:
            try:
                return dt.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        raise ValueError(_("“%(value)s”不是日期，请写成 2026-09-01") % {"value": text})

    def render(self, value, obj=None, **kwargs):
        return value.isoformat() if value else ""


class LookupWidget(widgets.ForeignKeyWidget):
    """A department, person or body named in a cell, with a Chinese reason when there is none."""

    def __init__(self, model, field, what, *, required=True):
        super().__init__(model, field=field)
        self.what = what
        self.required = required

    def clean(self, value, row=None, **kwargs):
        value = _text(value)
        if not value:
            if self.required:
                raise ValueError(_("必须填写%(what)s") % {"what": self.what})
            return None
        try:
            return self.get_queryset(value, row, **kwargs).get(**{self.field: value})
        except self.model.DoesNotExist:
            raise ValueError(
                _("没有名为“%(value)s”的%(what)s（请先在本表或系统中建立）") % {"value": value, "what": self.what}
            ) from None

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(getattr(value, self.field))


class YishiResource(resources.ModelResource):
    """What every sheet shares: whole-model validation with Chinese messages, no deletions."""

    class Meta:
        abstract = True
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_bulk = False
        skip_html_diff = True  # the preview lists counts and problems, not a diff per row

    # Whether the sheet's service writes the audit rows itself (else the import writes one a row).
    audited_by_service = False

    def headers(self) -> list[str]:
        """The sheet's column headings, as the template has them."""
        return [str(f.column_name) for f in self.get_import_fields()]

    def check(self, instance) -> dict[str, str]:
        """Rules across cells of one row; a sheet adds its own."""
        return {}

    def get_instance(self, instance_loader, row):
        # A key cell that names nobody is not an error of saving: the row is read as new, and the
        # cell's own reason is reported against its column.
        try:
            return super().get_instance(instance_loader, row)
        except ValueError:
            return None

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        for field, message in self.check(instance).items():
            errors.setdefault(field, []).append(message)
        if errors:
            raise ValidationError(errors)
        super().validate_instance(instance, import_validation_errors, validate_unique)


class DepartmentResource(YishiResource):
    name = fields.Field(attribute="name", column_name="名称", widget=TextWidget())
    kind = fields.Field(attribute="kind", column_name="类型", widget=LabelWidget(Department.Kind.choices))
    parent = fields.Field(
        attribute="parent", column_name="上级", widget=LookupWidget(Department, "name", "部门", required=False)
    )
    sort_order = fields.Field(attribute="sort_order", column_name="排序", widget=widgets.IntegerWidget())
    active = fields.Field(attribute="active", column_name="在用", widget=YesNoWidget())

    class Meta(YishiResource.Meta):
        model = Department
        import_id_fields = ["name"]
        instance_loader_class = instance_loaders.CachedInstanceLoader
        fields = ["name", "kind", "parent", "sort_order", "active"]

    def check(self, instance):
        if instance.parent_id and instance.pk and instance.parent_id == instance.pk:
            return {"parent": _("上级不能是部门自己")}
        return {}

    def before_save_instance(self, instance, row, **kwargs):
        if instance.sort_order is None:
            instance.sort_order = 0


class PersonResource(YishiResource):
    username = fields.Field(attribute="username", column_name="工号", widget=TextWidget())
    name = fields.Field(attribute="name", column_name="姓名", widget=TextWidget())
    department = fields.Field(
        attribute="department", column_name="所在部门", widget=LookupWidget(Department, "name", "部门")
    )
    title = fields.Field(attribute="title", column_name="职务", widget=TextWidget())
    email = fields.Field(attribute="email", column_name="邮箱", widget=TextWidget())
    is_active = fields.Field(attribute="is_active", column_name="在职", widget=YesNoWidget())

    class Meta(YishiResource.Meta):
        model = User
        import_id_fields = ["username"]
        instance_loader_class = instance_loaders.CachedInstanceLoader
        fields = ["username", "name", "department", "title", "email", "is_active"]

    def check(self, instance):
        problems = {}
        if not instance.name:
            problems["name"] = _("必须填写姓名")
        if instance.is_superuser and not instance.is_active:
            problems["is_active"] = _("系统管理员不能通过导入停用")
        return problems

    def after_init_instance(self, instance, new, row, **kwargs):
        if new:
            # Signs in through the school's login, or sets a password by the reset link.
            instance.set_unusable_password()


class RoleResource(YishiResource):
    user = fields.Field(attribute="user", column_name="工号", widget=LookupWidget(User, "username", "人员"))
    role = fields.Field(attribute="role", column_name="角色", widget=LabelWidget(Role.choices))
    department = fields.Field(
        attribute="department", column_name="负责部门", widget=LookupWidget(Department, "name", "部门", required=False)
    )

    class Meta(YishiResource.Meta):
        model = RoleAssignment
        import_id_fields = ["user", "role", "department"]
        fields = ["user", "role", "department"]

    def check(self, instance):
        if instance.role == Role.DEPT_HEAD and not instance.department_id:
            return {"department": _("部门负责人必须填写负责部门")}
        return {}


class MembershipResource(YishiResource):
    body = fields.Field(attribute="body", column_name="会议机构", widget=LookupWidget(MeetingBody, "name", "会议机构"))
    user = fields.Field(attribute="user", column_name="工号", widget=LookupWidget(User, "username", "人员"))
    kind = fields.Field(attribute="kind", column_name="身份", widget=LabelWidget(BodyMember.Kind.choices))

    class Meta(YishiResource.Meta):
        model = BodyMember
        import_id_fields = ["body", "user"]
        fields = ["body", "user", "kind"]


class PortfolioResource(YishiResource):
    """分管: one row per period. A new row starts through `portfolio_assign` (the current leader in
    charge of that department ends the day before); a 截止日期 added to the current period ends it
    through `portfolio_end`. A blank 截止日期 means "until the next one, or to this day", so the same
    history imported again changes nothing."""

    department = fields.Field(
        attribute="department", column_name="分管部门", widget=LookupWidget(Department, "name", "部门")
    )
    leader = fields.Field(
        attribute="leader", column_name="分管校领导工号", widget=LookupWidget(User, "username", "人员")
    )
    starts_on = fields.Field(attribute="starts_on", column_name="起始日期", widget=DateCellWidget())
    ends_on = fields.Field(
        attribute="ends_on", column_name="截止日期", widget=DateCellWidget(required=False), saves_null_values=False
    )

    audited_by_service = True

    class Meta(YishiResource.Meta):
        model = Portfolio
        import_id_fields = ["department", "leader", "starts_on"]
        fields = ["department", "leader", "starts_on", "ends_on"]
        # The periods' rules (one current leader, no overlap) are the service's; the model's
        # one-current constraint would refuse a successor before the service ends the predecessor.
        clean_model_instances = False

    def save_instance(self, instance, is_create, row, **kwargs):
        actor = kwargs["actor"]
        try:
            if is_create:
                saved = services.portfolio_assign(
                    actor=actor,
                    leader=instance.leader,
                    department=instance.department,
                    starts_on=instance.starts_on,
                    ends_on=instance.ends_on,
                )
                instance.pk = saved.pk
            else:
                services.portfolio_end(actor=actor, portfolio_id=instance.pk, ends_on=instance.ends_on)
        except InvalidTransition as exc:
            raise ValidationError({NON_FIELD_ERRORS: [exc.reason]}) from exc


# The workbook's sheets, in the order they are applied (a person's department must exist first).
SHEETS = [
    ("部门", DepartmentResource),
    ("人员", PersonResource),
    ("角色", RoleResource),
    ("会议机构成员", MembershipResource),
    ("分管", PortfolioResource),
]
