from io import StringIO

from django.core.management import call_command

from core.models import AuditEvent
from decisions.models import AgendaItem
from meetings.models import Meeting, Minutes, Resolution
from org.models import User


def test_the_demo_loads_once_and_a_second_run_changes_nothing(db):
    first, second = StringIO(), StringIO()
    call_command("seed_demo", stdout=first)
    counts = (User.objects.count(), AgendaItem.objects.count(), Meeting.objects.count(), AuditEvent.objects.count())

    call_command("seed_demo", stdout=second)

    assert "demo data loaded" in first.getvalue()
    assert "nothing changed" in second.getvalue()
    assert counts == (
        User.objects.count(),
        AgendaItem.objects.count(),
        Meeting.objects.count(),
        AuditEvent.objects.count(),
    )
    usernames = set(User.objects.values_list("username", flat=True))
    assert {
        "secretary",
        "principal",
        "member1",
        "member2",
        "discipline",
        "partyoffice",
        "affairsoffice",
        "depthead",
        "staff",
    } <= usernames
    # A held PC meeting with locked minutes and a resolution; an upcoming one with its agenda published.
    assert Minutes.objects.filter(state="locked", meeting__body__code="PC").exists()
    assert Resolution.objects.filter(number__startswith="党委会〔").exists()
    assert Meeting.objects.filter(body__code="PC", state="published", entries__isnull=False).exists()


def test_the_demo_resolution_is_noticed_at_every_level_and_its_tasks_are_in_every_state(db):
    from notices.models import Notice
    from supervision.models import Task

    call_command("seed_demo", stdout=StringIO())
    resolution = Resolution.objects.get(number__startswith="党委会〔")
    notice = Notice.objects.get(resolution=resolution)
    assert notice.meeting.body.code == "SA" and notice.recipients.filter(read_at__isnull=False).exists()
    assert notice.recipients.filter(read_at__isnull=True).exists()
    digest = Notice.objects.get(level=Notice.Level.MONTHLY_DIGEST)
    assert resolution.number in digest.body
    states = set(Task.objects.filter(resolution=resolution).values_list("state", flat=True))
    assert states == set(Task.State.values)
    assert Task.objects.filter(resolution=resolution, escalation_level__gte=1, state="assigned").exists()
    assert Task.objects.filter(source="letter").exists() and Task.objects.filter(source="patrol").exists()
