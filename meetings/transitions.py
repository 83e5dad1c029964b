"""The transition tables of a meeting and of its minutes (core.transitions).

meetings.services asks them before every write; the meeting's page asks them for its buttons;
docs/architecture.md shows them (manage.py describe_transitions).
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.transitions import Move, declare
from meetings.models import Meeting, Minutes, StudySession

M = Meeting.State
ORGANIZES, ARRANGES, RUNS = "meetings.access.organizes", "meetings.access.arranges", "meetings.access.runs"
ORGANIZER_ONLY = _("只有会务部门或主持人可以调整议程")
RUNNER_ONLY = _("只有会议主持人、记录人或会务部门可以进行此操作")


def _meeting_move(label: str, sources, targets=(), *, verb: str, who: str = RUNS, refusal=RUNNER_ONLY, **kw) -> Move:
    of = "body" if who == ORGANIZES else ""
    return Move(
        pgettext_lazy("meeting step", label) if isinstance(label, str) else label,
        frozenset(sources),
        frozenset(targets),
        who=who,
        of=of,
        refusal=refusal,
        verb=verb,
        **kw,
    )


# A meeting's life, and in which of its states each part of the day may be done (the rows that
# leave the state unchanged). meetings.services asks this table before every write.
MEETING_TRANSITIONS = declare(
    Meeting,
    {
        "agenda_add": _meeting_move(
            "增加议题（议程已发布，只能由主持人按紧急议题列入）",
            {M.PLANNING},
            verb="meeting.agenda_add",
            who=ARRANGES,
            refusal=_("只有会务部门或主持人可以编排议程"),
        ),
        "agenda_drop": _meeting_move(
            "撤出议题",
            {M.PLANNING, M.PUBLISHED},
            verb="meeting.agenda_drop",
            who=ARRANGES,
            refusal=ORGANIZER_ONLY,
            needs_reason=True,
        ),
        "agenda_order": _meeting_move(
            "调整议题顺序", {M.PLANNING}, verb="meeting.agenda_order", who=ARRANGES, refusal=ORGANIZER_ONLY
        ),
        "publish": _meeting_move(
            "发布议程",
            {M.PLANNING},
            {M.PUBLISHED},
            verb="meeting.publish",
            who=ARRANGES,
            refusal=_("只有会务部门或主持人可以发布议程"),
        ),
        "cancel": _meeting_move(
            "取消",
            {M.PLANNING, M.PUBLISHED},
            {M.CANCELLED},
            verb="meeting.cancel",
            who=ARRANGES,
            refusal=_("只有会务部门或主持人可以取消会议"),
            needs_reason=True,
        ),
        "reschedule": _meeting_move(
            "改期",
            {M.PLANNING, M.PUBLISHED},
            verb="meeting.reschedule",
            who=ARRANGES,
            refusal=_("只有会务部门或主持人可以改期"),
            needs_reason=True,
        ),
        "open": _meeting_move("开始会议", {M.PUBLISHED}, {M.IN_PROGRESS}, verb="meeting.open"),
        "attendance": _meeting_move("登记出席", {M.PUBLISHED, M.IN_PROGRESS}, verb="meeting.attendance"),
        "observer": _meeting_move("增加列席人员", {M.PLANNING, M.PUBLISHED, M.IN_PROGRESS}, verb="meeting.observer"),
        "recuse": _meeting_move("登记回避", {M.PUBLISHED, M.IN_PROGRESS}, verb="meeting.recuse", needs_reason=True),
        "emergency_item": _meeting_move(
            "列入紧急议题",
            {M.IN_PROGRESS},
            verb="meeting.emergency_item",
            who="meetings.access.chairs",
            refusal=_("只有会议主持人可以临时列入紧急议题"),
            needs_reason=True,
        ),
        "opinion": _meeting_move(
            "记录表态",
            {M.IN_PROGRESS},
            verb="meeting.opinion",
            who="meetings.access.speaks_for",
            refusal=_("只能由本人或会议记录人记录表态"),
        ),
        "vote_open": _meeting_move("开始表决", {M.IN_PROGRESS}, verb="meeting.vote_open"),
        "vote_cast": _meeting_move("表决", {M.IN_PROGRESS}, verb="meeting.vote_cast", who="meetings.access.may_vote"),
        "vote_enter": _meeting_move(
            "登记表决", {M.IN_PROGRESS}, verb="meeting.vote_enter", who="meetings.access.enters_votes"
        ),
        "vote_close": _meeting_move("结束表决", {M.IN_PROGRESS}, verb="meeting.vote_close"),
        "correct": _meeting_move(
            "更正记录",
            {M.PUBLISHED, M.IN_PROGRESS},
            verb="meeting.correct",
            who="meetings.access.corrects",
            refusal=_("只有会议记录人或会务部门可以更正会议记录"),
            needs_reason=True,
        ),
        "decide": _meeting_move("宣布议题结果", {M.IN_PROGRESS}, verb="meeting.decide"),
        "adjourn": _meeting_move("散会", {M.IN_PROGRESS}, {M.ADJOURNED}, verb="meeting.adjourn"),
        # 第一议题 / 中心组学习: the study is recorded on the day or after it.
        "study_record": _meeting_move("记录学习", {M.IN_PROGRESS, M.ADJOURNED}, verb="study.record"),
    },
    state_refusal=_("会议当前状态为“%(state)s”，不能%(step)s"),
)


N = Minutes.State
RECORDS, SIGNS = "meetings.access.records", "meetings.access.signs"
RECORDER_ONLY = _("只有会议记录人或会务部门可以编辑纪要")

# 纪要: drafted by the recorder, co-signed by every member present, locked by the last signature;
# a member's objection sends it back to draft. A correction (amend) is a new draft of its own.
MINUTES_TRANSITIONS = declare(
    Minutes,
    {
        "edit": Move(
            _("修改"),
            frozenset({N.DRAFT}),
            who=RECORDS,
            of="meeting",
            refusal=RECORDER_ONLY,
            verb="minutes.edit",
            blocked=_("纪要当前为“%(state)s”，不能修改；如需更正请起草更正纪要"),
        ),
        "send": Move(
            _("送签"),
            frozenset({N.DRAFT}),
            frozenset({N.SIGNING}),
            who=RECORDS,
            of="meeting",
            refusal=RECORDER_ONLY,
            verb="minutes.send",
        ),
        "sign": Move(
            _("会签"),
            frozenset({N.SIGNING}),
            frozenset({N.SIGNING, N.LOCKED}),
            who=SIGNS,
            refusal=_("只有出席会议的成员会签纪要"),
            verb="minutes.sign",
            blocked=_("纪要当前为“%(state)s”，不在会签阶段"),
        ),
        "object": Move(
            _("提出修改意见"),
            frozenset({N.SIGNING}),
            frozenset({N.DRAFT}),
            needs_reason=True,
            who=SIGNS,
            refusal=_("只有出席会议的成员可以提出纪要修改意见"),
            verb="minutes.object",
            blocked=_("纪要不在会签阶段"),
        ),
        "amend": Move(
            _("起草更正纪要"),
            frozenset({N.LOCKED}),
            who=RECORDS,
            of="meeting",
            refusal=RECORDER_ONLY,
            verb="minutes.amend",
            blocked=_("只有已签发的纪要需要更正；草稿请直接修改"),
        ),
    },
    state_refusal=_("纪要当前为“%(state)s”，不能%(step)s"),
)


S = StudySession.State

# 第一议题 / 中心组学习: a study record is written while it is open (the texts corrected, each
# participant's reflection) and archived once; archiving waits for every reflection when the
# body's policy asks for them (meetings.services.study).
STUDY_TRANSITIONS = declare(
    StudySession,
    {
        "texts": Move(
            _("修改学习篇目"),
            frozenset({S.OPEN}),
            who="meetings.access.records_study",
            refusal=RUNNER_ONLY,
            verb="study.texts",
        ),
        "reflect": Move(
            _("提交心得体会"),
            frozenset({S.OPEN}),
            who="meetings.access.may_reflect",
            refusal=_("只有参加本次学习的人员可以提交心得体会"),
            verb="study.reflect",
            blocked=_("学习记录已归档，不能再提交心得体会"),
        ),
        "archive": Move(
            _("归档"),
            frozenset({S.OPEN}),
            frozenset({S.ARCHIVED}),
            who="meetings.access.records_study",
            refusal=RUNNER_ONLY,
            verb="study.archive",
        ),
    },
    state_refusal=_("学习记录当前为“%(state)s”，不能%(step)s"),
)
