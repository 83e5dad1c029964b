from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Department(models.Model):
    class Kind(models.TextChoices):
        LEADERSHIP = "leadership", _("校领导")
        OFFICE = "office", _("职能部门")
        COLLEGE = "college", _("二级学院")
        BRANCH = "branch", _("党支部")
        GENERAL_BRANCH = "general_branch", _("党总支")

    name = models.CharField(_("名称"), max_length=100, unique=True)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, default=Kind.OFFICE)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级"), on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("在用"), default=True)

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["sort_order", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["leadership", "office", "college", "branch", "general_branch"]),
                name="department_kind_valid",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    SECRETARY = "secretary", _("党委书记")
    PRINCIPAL = "principal", _("校长")
    PC_MEMBER = "pc_member", _("党委委员")
    PO_MEMBER = "po_member", _("校长办公会成员")
    DISCIPLINE = "discipline", _("纪委书记")
    PARTY_OFFICE = "party_office", _("党委办公室")
    AFFAIRS_OFFICE = "affairs_office", _("校务办")
    DEPT_HEAD = "dept_head", _("部门负责人")
    STAFF = "staff", _("教职工")


LEADER_ROLES = frozenset({Role.SECRETARY, Role.PRINCIPAL, Role.PC_MEMBER, Role.PO_MEMBER, Role.DISCIPLINE})
OFFICE_ROLES = frozenset({Role.PARTY_OFFICE, Role.AFFAIRS_OFFICE})


class User(AbstractUser):
    """A person at the school. Several roles each （交叉任职）， one home department."""

    name = models.CharField(_("姓名"), max_length=50, blank=True)
    department = models.ForeignKey(
        Department, verbose_name=_("所在部门"), on_delete=models.PROTECT, null=True, blank=True, related_name="people"
    )
    title = models.CharField(_("职务"), max_length=100, blank=True)
    email_reminders = models.BooleanField(_("接收邮件提醒"), default=True)
    # Who the person is on the school's platforms (accounts.providers): signing in with DingTalk
    # or WeCom finds them here, or by the mobile number on file; work notices go to these ids.
    mobile = models.CharField(_("手机号"), max_length=20, blank=True, db_index=True)
    dingtalk_userid = models.CharField(_("钉钉用户ID"), max_length=64, blank=True)
    wecom_userid = models.CharField(_("企业微信用户ID"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["username"]
        constraints = [
            models.UniqueConstraint(
                fields=["dingtalk_userid"], condition=~models.Q(dingtalk_userid=""), name="user_dingtalk_userid_once"
            ),
            models.UniqueConstraint(
                fields=["wecom_userid"], condition=~models.Q(wecom_userid=""), name="user_wecom_userid_once"
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.username

    @cached_property
    def assignments(self) -> list["RoleAssignment"]:
        if not self.pk:
            return []
        # Loaded with the user by org.backends.YishiBackend (no query of its own), else queried.
        text = self.__dict__.get("assignment_text", False)
        if text is False:
            return list(self.role_assignments.all())
        result = []
        for pair in (text or "").split(","):
            if pair:
                role, _sep, dept = pair.partition(":")
                result.append(RoleAssignment(user_id=self.pk, role=role, department_id=int(dept) if dept else None))
        return result

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(a.role for a in self.assignments)

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_leader(self) -> bool:
        return bool(self.roles & LEADER_ROLES)

    @property
    def headed_department_ids(self) -> frozenset[int]:
        return frozenset(a.department_id for a in self.assignments if a.role == Role.DEPT_HEAD and a.department_id)


class RoleAssignment(models.Model):
    user = models.ForeignKey(User, verbose_name=_("人员"), on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    department = models.ForeignKey(
        Department,
        verbose_name=_("负责部门"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("部门负责人必填：其审核哪个部门的议题"),
    )

    class Meta:
        verbose_name = _("角色分配")
        verbose_name_plural = _("角色分配")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "department"], name="role_assignment_unique"),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=models.Q(department__isnull=True),
                name="role_assignment_unique_nodept",
            ),
            models.CheckConstraint(
                condition=~models.Q(role="dept_head") | models.Q(department__isnull=False),
                name="dept_head_needs_department",
            ),
        ]

    def __str__(self) -> str:
        label = self.get_role_display()
        return f"{self.user} · {label}" + (f"（{self.department}）" if self.department_id else "")


class MeetingBody(models.Model):
    """A meeting that sits regularly: 党委会， 校长办公会， 校务会， 全教会."""

    class Code(models.TextChoices):
        PC = "PC", _("党委会")
        PO = "PO", _("校长办公会")
        SA = "SA", _("校务会")
        AS = "AS", _("全教会")
        CG = "CG", _("中心组学习")

    code = models.CharField(_("代码"), max_length=2, choices=Code.choices, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    decides = models.BooleanField(_("有决策权"), default=False, help_text=_("只有党委会和校长办公会可以作出决定"))
    chair = models.ForeignKey(
        User,
        verbose_name=_("主持人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="chaired_bodies",
        help_text=_("主持人同时负责本会议议题的研判"),
    )
    secretary_role = models.CharField(
        _("会务部门"),
        max_length=20,
        choices=[
            (Role.PARTY_OFFICE.value, Role.PARTY_OFFICE.label),
            (Role.AFFAIRS_OFFICE.value, Role.AFFAIRS_OFFICE.label),
        ],
        blank=True,
    )
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    # Defaults from the rules of procedure; a school may change them here.
    quorum_num = models.PositiveSmallIntegerField(_("开会人数：分子"), default=1)
    quorum_den = models.PositiveSmallIntegerField(_("开会人数：分母"), default=2)
    quorum_strict = models.BooleanField(
        _("开会人数须“超过”该比例"), default=True, help_text=_("勾选为“超过半数”，不勾选为“达到”")
    )
    appointment_quorum_num = models.PositiveSmallIntegerField(_("干部任免到会：分子"), default=2)
    appointment_quorum_den = models.PositiveSmallIntegerField(_("干部任免到会：分母"), default=3)
    pass_num = models.PositiveSmallIntegerField(_("表决通过：分子"), default=1)
    pass_den = models.PositiveSmallIntegerField(_("表决通过：分母"), default=2)
    materials_days = models.PositiveSmallIntegerField(_("会议材料提前天数"), default=2)
    # 第一议题: the school's policy per body (meetings.rules.first_item_problem asks it).
    study_first = models.BooleanField(
        _("第一议题须为理论学习"),
        default=False,
        help_text=_("勾选后，议程第一项不是学习议题的会议不能发布，除非写明例外理由"),
    )
    reflections_required = models.BooleanField(
        _("学习须提交心得体会"),
        default=False,
        help_text=_("勾选后，学习记录须每位参学人员提交心得体会方可归档"),
    )

    class Meta:
        verbose_name = _("会议机构")
        verbose_name_plural = _("会议机构")
        ordering = ["sort_order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__in=["PC", "PO", "SA", "AS", "CG"]), name="meeting_body_code_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(quorum_den__gt=0, appointment_quorum_den__gt=0, pass_den__gt=0)
                & models.Q(quorum_num__lte=models.F("quorum_den"))
                & models.Q(appointment_quorum_num__lte=models.F("appointment_quorum_den"))
                & models.Q(pass_num__lte=models.F("pass_den")),
                name="meeting_body_fractions_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class BodyMember(models.Model):
    class Kind(models.TextChoices):
        MEMBER = "member", _("成员")
        OBSERVER = "observer", _("列席")

    body = models.ForeignKey(MeetingBody, verbose_name=_("会议机构"), on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(User, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="body_memberships")
    kind = models.CharField(_("身份"), max_length=10, choices=Kind.choices, default=Kind.MEMBER)

    class Meta:
        verbose_name = _("会议组成人员")
        verbose_name_plural = _("会议组成人员")
        constraints = [
            models.UniqueConstraint(fields=["body", "user"], name="body_member_unique"),
            models.CheckConstraint(condition=models.Q(kind__in=["member", "observer"]), name="body_member_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.body} · {self.user} · {self.get_kind_display()}"


class Portfolio(models.Model):
    """分管: which school leader is in charge of which department, from when to when. A change of
    portfolio mid-year ends the old row and starts a new one, so the history stays."""

    leader = models.ForeignKey(User, verbose_name=_("分管校领导"), on_delete=models.PROTECT, related_name="portfolios")
    department = models.ForeignKey(
        Department, verbose_name=_("分管部门"), on_delete=models.PROTECT, related_name="portfolios"
    )
    starts_on = models.DateField(_("起始日期"))
    ends_on = models.DateField(_("截止日期"), null=True, blank=True, help_text=_("留空表示至今"))

    class Meta:
        verbose_name = _("分管关系")
        verbose_name_plural = _("分管关系（分管校领导）")
        ordering = ["department__sort_order", "-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=models.F("starts_on")),
                name="portfolio_dates_ordered",
            ),
            models.UniqueConstraint(
                fields=["department"], condition=models.Q(ends_on__isnull=True), name="portfolio_one_current"
            ),
        ]
        indexes = [models.Index(fields=["department", "starts_on"], name="portfolio_dept_idx")]

    def __str__(self) -> str:
        return f"{self.leader} 分管 {self.department}"
