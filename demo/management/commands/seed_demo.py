"""Load the demo school. Idempotent: a second run finds everything in place and changes nothing."""

from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from decisions import services
from decisions.models import AgendaItem, Category, MajorKind
from demo.branches import seed_branch_track
from demo.party_building import seed_party_building
from demo.people import seed_org
from demo.review_chain import seed_review_chain, seed_unfollowed
from demo.study_and_work import seed_central_group, seed_pc_study, seed_tasks_with_partners
from demo.supervision import seed_supervision
from meetings import services as meeting_services
from meetings.models import Meeting
from org.models import MeetingBody, User
from search.services import reindex_all


class Command(BaseCommand):
    help = "Load the demo school (departments, one account per role, meeting bodies, sample agenda items)."

    @transaction.atomic
    def handle(self, *args, **options):
        created = seed_org()
        created += self.seed_items()
        created += seed_party_building()
        created += seed_branch_track()
        if created:
            # The search index is kept by jobs on commit and every ten minutes; the demo starts full.
            transaction.on_commit(reindex_all)
        if created:
            self.stdout.write(
                f"demo data loaded: {User.objects.count()} people, {AgendaItem.objects.count()} agenda items, "
                f"{Meeting.objects.count()} meetings"
            )
        else:
            self.stdout.write("demo data: already in place, nothing changed")

    def seed_items(self) -> int:
        if AgendaItem.objects.exists():
            return 0
        # The held meeting took place at the end of last month, so that month's all-staff digest
        # (全教会通报) carries its resolution; its history is written at the times it happened.
        first_of_month = timezone.localtime().replace(day=1, hour=15, minute=0, second=0, microsecond=0)
        held_at = first_of_month - timedelta(days=3)
        with back_in_time(held_at - timedelta(days=6)):
            items = self.seed_before_the_meeting()
            held = self.meeting(items["pc"], items["u"]["partyoffice"], at=held_at, place="行政楼第一会议室")
            self.put_on_agenda(held, items)
        with back_in_time(held_at):
            self.hold(held, items)
        seed_pc_study(held)
        self.seed_after_the_meeting(items)
        seed_central_group(back_in_time)
        seed_supervision(held)
        seed_tasks_with_partners()
        # The review chain is configured once the items above have gone their way; then one
        # item goes through it whole, and one resolution waits for follow-up (决而未果).
        seed_review_chain()
        seed_unfollowed(held_at)
        return AgendaItem.objects.count()

    def seed_before_the_meeting(self) -> dict:
        u = {user.username: user for user in User.objects.all()}
        pc, po = MeetingBody.objects.get(code="PC"), MeetingBody.objects.get(code="PO")

        def new(who, **fields):
            fields.setdefault("amount", None)
            fields.setdefault("major_kind", "")
            fields.setdefault("confidential", False)
            return services.item_create(actor=u[who], **fields)

        def materials(item, who, name, text):
            upload = SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/plain")
            services.attachment_add(actor=u[who], item_id=item.pk, upload=upload)

        # --- items at every stage before a meeting -------------------------------------------
        new(
            "staff",
            title="关于修订《学生顶岗实习管理办法》的请示",
            category=Category.DECISION,
            background="现行办法制定于2019年，与教育部等八部门《职业学校学生实习管理规定》不一致之处较多。",
            proposal="按新规定修订实习协议、保险、报酬与安全管理条款，征求各二级学院意见后提交校长办公会审议。",
            requested_body=po,
        )
        calendar = new(
            "staff",
            title="关于2027年春季学期教学日历安排的请示",
            category=Category.DECISION,
            background="根据省教育厅校历安排，拟定2027年春季学期教学日历。",
            proposal="2027年2月22日开学，7月9日结束，共20周；第10周为期中教学检查周。",
            requested_body=po,
        )
        services.item_submit(actor=u["staff"], item_id=calendar.pk)

        programme = new(
            "depthead",
            title="关于申报省级高水平专业群建设项目的请示",
            category=Category.PROPOSAL,
            major_kind=MajorKind.PROJECT,
            background="省教育厅启动新一轮高水平专业群遴选，我校智能制造专业群具备申报条件。",
            proposal="以智能制造专业群申报，建设期三年，学校配套资金按省级要求落实。",
            requested_body=pc,
        )
        materials(programme, "depthead", "专业群建设方案.txt", "智能制造专业群建设方案（征求意见稿）")
        services.item_submit(actor=u["depthead"], item_id=programme.pk)
        services.item_screen_accept(
            actor=u["secretary"], item_id=programme.pk, consultees=[u["principal"], u["member1"]]
        )
        services.item_consult_answer(actor=u["principal"], item_id=programme.pk, agree=True, text="同意申报。")
        services.item_consult_answer(actor=u["member1"], item_id=programme.pk, agree=True)

        equipment = new(
            "finance",
            title="关于采购智能制造实训设备的请示",
            category=Category.DECISION,
            amount=Decimal("1280000"),
            background="智能制造实训中心现有设备老化，不能满足世赛集训基地要求。",
            proposal="公开招标采购工业机器人工作站6套，预算128万元，资金来源为中央财政专项。",
            requested_body=pc,
        )
        materials(equipment, "finance", "采购需求与预算.txt", "工业机器人工作站6套，预算128万元。")
        services.item_submit(actor=u["finance"], item_id=equipment.pk)
        services.item_screen_accept(
            actor=u["secretary"], item_id=equipment.pk, consultees=[u["principal"], u["member1"], u["member2"]]
        )
        services.item_consult_answer(
            actor=u["member1"], item_id=equipment.pk, agree=True, text="同意，建议同步做好场地改造。"
        )
        services.item_consult_answer(actor=u["principal"], item_id=equipment.pk, agree=True)
        services.item_consult_answer(actor=u["member2"], item_id=equipment.pk, agree=True)

        study = new(
            "partyoffice",
            title="第一议题：学习贯彻全国教育大会精神",
            category=Category.STUDY,
            background="传达学习全国教育大会精神及省委教育工委部署。",
            proposal="党委理论学习中心组集体学习，每位委员结合分管工作交流发言。",
            requested_body=pc,
        )
        materials(study, "partyoffice", "学习材料.txt", "全国教育大会精神学习材料")
        services.item_submit(actor=u["partyoffice"], item_id=study.pk)
        services.item_screen_accept(actor=u["secretary"], item_id=study.pk, comment="列为第一议题。")

        security = new(
            "affairsoffice",
            title="关于调整校园安保外包服务的请示",
            category=Category.PROPOSAL,
            background="现安保服务合同将于年底到期，夜间巡查覆盖不足。",
            proposal="续签并增加夜间巡查岗2个，年服务费增加8.6万元。",
            amount=Decimal("86000"),
            requested_body=po,
            confidential=True,
        )
        services.item_submit(actor=u["affairsoffice"], item_id=security.pk)
        services.item_screen_accept(actor=u["principal"], item_id=security.pk, consultees=[u["member1"]])
        services.item_consult_answer(
            actor=u["member1"], item_id=security.pk, agree=False, text="请补充与其他服务商的比价材料和夜间巡查路线。"
        )

        return {"u": u, "pc": pc, "po": po, "study": study, "equipment": equipment, "programme": programme}

    def put_on_agenda(self, held, items) -> None:
        u = items["u"]
        for item in (items["study"], items["equipment"]):
            meeting_services.agenda_add(actor=u["partyoffice"], meeting_id=held.pk, item_id=item.pk)
        meeting_services.meeting_publish(actor=u["partyoffice"], meeting_id=held.pk)

    def hold(self, held, items) -> None:
        """The Party committee meeting: the study item noted, the purchase passed by vote, minutes co-signed."""
        u = items["u"]
        meeting_services.meeting_open(actor=u["partyoffice"], meeting_id=held.pk)
        for a in held.attendance.select_related("person"):
            meeting_services.attendance_mark(
                actor=u["partyoffice"], meeting_id=held.pk, person_id=a.person_id, present=True
            )
        study_entry, equipment_entry = held.entries.order_by("position")
        meeting_services.entry_decide(actor=u["partyoffice"], entry_id=study_entry.pk, outcome="noted")
        for who, text in [
            ("principal", "采购须严格执行政府采购程序。"),
            ("member1", "建议同步做好场地改造。"),
            ("member2", ""),
            ("secretary", "请财务处牵头，纪委全程监督采购过程。"),
        ]:
            meeting_services.opinion_record(
                actor=u["partyoffice"], entry_id=equipment_entry.pk, member_id=u[who].pk, stance="agree", text=text
            )
        meeting_services.vote_open(actor=u["partyoffice"], entry_id=equipment_entry.pk)
        for who in ("principal", "member1", "member2", "secretary"):
            meeting_services.vote_cast(actor=u[who], entry_id=equipment_entry.pk, choice="for")
        meeting_services.vote_close(actor=u["partyoffice"], entry_id=equipment_entry.pk)
        meeting_services.entry_decide(
            actor=u["partyoffice"],
            entry_id=equipment_entry.pk,
            outcome="passed",
            note="同意采购，由财务处牵头组织公开招标。",
        )
        meeting_services.meeting_adjourn(actor=u["partyoffice"], meeting_id=held.pk)
        minutes = held.minutes.get()
        meeting_services.minutes_send(actor=u["partyoffice"], minutes_id=minutes.pk)
        for who in ("secretary", "principal", "member1", "member2"):
            meeting_services.minutes_sign(actor=u[who], minutes_id=minutes.pk)

    def seed_after_the_meeting(self, items) -> None:
        u, pc = items["u"], items["pc"]
        now = timezone.localtime().replace(hour=15, minute=0, second=0, microsecond=0)
        # --- the next Party committee meeting, agenda published --------------------------------
        upcoming = self.meeting(pc, u["partyoffice"], at=now + timedelta(days=5), place="行政楼第一会议室")
        meeting_services.agenda_add(actor=u["partyoffice"], meeting_id=upcoming.pk, item_id=items["programme"].pk)
        meeting_services.meeting_publish(actor=u["partyoffice"], meeting_id=upcoming.pk)

        # --- the next school affairs meeting: the PC resolution above is noticed there (三通报) ----
        sa = MeetingBody.objects.get(code="SA")
        self.meeting(sa, u["affairsoffice"], at=now + timedelta(days=3), place="行政楼第二会议室")

    @staticmethod
    def meeting(body, organizer, *, at, place: str):
        return meeting_services.meeting_schedule(actor=organizer, body=body, starts_at=at, place=place)


@contextmanager
def back_in_time(moment):
    """Run a part of the demo at `moment` (the clock keeps ticking from there), so that its
    history carries the times it would have had. Needs time-machine (installed by `make run`);
    without it the demo is written at the present time."""
    try:
        import time_machine
    except ImportError:  # pragma: no cover - production installs leave the dev tools out
        yield
        return
    with time_machine.travel(moment, tick=True):
        yield
