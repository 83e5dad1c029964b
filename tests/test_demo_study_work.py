"""The demo shows issue 15's points 3, 5 and 6 filled in: a study record with reflections (the
Party committee's first item and the central group's meeting), a task with co-operating
departments, and a monthly digest carrying the party office's selection of department work."""

from io import StringIO

from django.core.management import call_command

from meetings.models import StudySession
from notices.models import MajorWork, Notice
from supervision.models import PartReport, Task


def test_the_demo_has_study_records_partners_and_the_digests_department_work(db):
    call_command("seed_demo", stdout=StringIO())

    pc = StudySession.objects.get(body__code="PC")
    assert pc.entry.item.category == "study" and pc.reflections.count() == 3
    cg = StudySession.objects.get(body__code="CG")
    assert cg.reflections_required and cg.state == "archived"
    assert cg.reflections.count() == cg.participants.count() == 6

    plan = Task.objects.get(plan="work_plan")
    assert sorted(plan.partners.values_list("department__name", flat=True)) == ["信息中心", "财务处"]
    assert PartReport.objects.get(task=plan).links.exists()
    assert Task.objects.filter(plan="branch", track="branch").exists()

    digest = Notice.objects.get(level=Notice.Level.MONTHLY_DIGEST)
    carried = list(MajorWork.objects.filter(notice=digest).order_by("position").values_list("title", flat=True))
    assert carried == ["完成工业机器人工作站采购预算批复", "完成期中教学检查"]
    assert digest.body.index(carried[0]) < digest.body.index(carried[1])
    assert MajorWork.objects.get(state="declined").title not in digest.body
