"""The demo shows the branch track at the seed's scale, the performance rating, the duty
descriptions and calendar, and an answered report flag, each filled in."""

import io

import pytest
from django.core.management import call_command

from org.models import Department
from reports.models import FlagAnswer
from supervision.models import (
    BranchCheck,
    BranchMeeting,
    DepartmentScore,
    DutyStatement,
    PerformanceRating,
    ScoreLine,
    Task,
)


@pytest.mark.django_db(transaction=False)
def test_the_demo_fills_in_every_part(client, settings):
    settings.REDIS_URL = ""
    call_command("seed_demo", stdout=io.StringIO())

    assert Department.objects.filter(kind="general_branch").count() == 8
    branches = Department.objects.filter(kind="branch")
    assert branches.count() == 28
    assert not branches.filter(parent__isnull=True).exists()
    assert BranchCheck.objects.filter(kind="office").values("branch").distinct().count() == 28
    assert BranchCheck.objects.filter(kind="self").exists()
    assert Task.objects.filter(source="check").exists()
    assert set(BranchMeeting.objects.values_list("kind", flat=True)) == {"members", "committee", "group", "lecture"}
    assert DutyStatement.objects.count() >= 5
    rating = PerformanceRating.objects.get()
    assert rating.published_at is not None
    assert DepartmentScore.objects.filter(rating=rating).exists() and ScoreLine.objects.exists()
    assert FlagAnswer.objects.filter(department__name="信息中心").exists()

    from org.models import User

    client.force_login(User.objects.get(username="partyoffice"))
    html = client.get("/").content.decode()
    assert 'data-testid="branch-panel"' in html
    assert client.get("/branches/org-life/").status_code == 200
    assert client.get("/calendar/duties/?view=year").status_code == 200
    client.force_login(User.objects.get(username="secretary"))
    assert client.get(f"/performance/{rating.pk}/").status_code == 200
