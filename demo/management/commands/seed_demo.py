"""Load the demo school. Idempotent: a second run finds everything in place and changes nothing."""

from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction

from decisions import services
from decisions.models import AgendaItem, Category, MajorKind
from demo.people import seed_org
from org.models import MeetingBody, User


class Command(BaseCommand):
    help = "Load the demo school (departments, one account per role, meeting bodies, sample agenda items)."

    @transaction.atomic
    def handle(self, *args, **options):
        created = seed_org()
        created += self.seed_items()
        self.stdout.write(
            f"demo data: {created} new rows" if created else "demo data: already in place, nothing changed"
        )

    def seed_items(self) -> int:
        if AgendaItem.objects.exists():
            return 0
        u = {user.username: user for user in User.objects.all()}
        pc, po = MeetingBody.objects.get(code="PC"), MeetingBody.objects.get(code="PO")

        def new(who, **fields):
            fields.setdefault("amount", None)
            fields.setdefault("major_kind", "")
            fields.setdefault("confidential", False)
            return services.item_create(actor=u[who], **fields)

        new(
            "staff",
            title="关于修订《学生顶岗实习管理办法》的请示",
            category=Category.DECISION,
            background="现行办法制定于2019年,与教育部等八部门《职业学校学生实习管理规定》不一致之处较多。",
            proposal="按新规定修订实习协议、保险、报酬与安全管理条款,征求各二级学院意见后提交校长办公会审议。",
            requested_body=po,
        )
        item = new(
            "staff",
            title="关于2027年春季学期教学日历安排的请示",
            category=Category.DECISION,
            background="根据省教育厅校历安排,拟定2027年春季学期教学日历。",
            proposal="2027年2月22日开学,7月9日结束,共20周;第10周为期中教学检查周。",
            requested_body=po,
        )
        services.item_submit(actor=u["staff"], item_id=item.pk)

        item = new(
            "depthead",
            title="关于申报省级高水平专业群建设项目的请示",
            category=Category.PROPOSAL,
            major_kind=MajorKind.PROJECT,
            background="省教育厅启动新一轮高水平专业群遴选,我校智能制造专业群具备申报条件。",
            proposal="以智能制造专业群申报,建设期三年,学校配套资金按省级要求落实。",
            requested_body=pc,
        )
        services.item_submit(actor=u["depthead"], item_id=item.pk)

        item = new(
            "finance",
            title="关于采购智能制造实训设备的请示",
            category=Category.DECISION,
            amount=Decimal("1280000"),
            background="智能制造实训中心现有设备老化,不能满足世赛集训基地要求。",
            proposal="公开招标采购工业机器人工作站6套,预算128万元,资金来源为中央财政专项。",
            requested_body=pc,
        )
        services.item_submit(actor=u["finance"], item_id=item.pk)
        services.item_screen_accept(
            actor=u["secretary"], item_id=item.pk, consultees=[u["principal"], u["member1"], u["member2"]]
        )
        services.item_consult_answer(
            actor=u["member1"], item_id=item.pk, agree=True, text="同意,建议同步做好场地改造。"
        )

        item = new(
            "partyoffice",
            title="第一议题:学习贯彻全国教育大会精神",
            category=Category.STUDY,
            background="传达学习全国教育大会精神及省委教育工委部署。",
            proposal="党委理论学习中心组集体学习,每位委员结合分管工作交流发言。",
            requested_body=pc,
        )
        services.item_submit(actor=u["partyoffice"], item_id=item.pk)
        services.item_screen_accept(actor=u["secretary"], item_id=item.pk, comment="列为第一议题。")

        item = new(
            "affairsoffice",
            title="关于调整校园安保外包服务的请示",
            category=Category.PROPOSAL,
            background="现安保服务合同将于年底到期,夜间巡查覆盖不足。",
            proposal="续签并增加夜间巡查岗2个,年服务费增加8.6万元。",
            amount=Decimal("86000"),
            requested_body=po,
            confidential=True,
        )
        services.item_submit(actor=u["affairsoffice"], item_id=item.pk)
        services.item_screen_accept(actor=u["principal"], item_id=item.pk, consultees=[u["member1"]])
        services.item_consult_answer(
            actor=u["member1"], item_id=item.pk, agree=False, text="请补充与其他服务商的比价材料和夜间巡查路线。"
        )
        return AgendaItem.objects.count()
