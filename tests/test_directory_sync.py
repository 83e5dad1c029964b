"""钉钉通讯录同步 against the local DingTalk stand-in: the preview names every change and keeps
nothing; applying adds departments and people, links by mobile, updates, and deactivates those who
left (never deletes); a directory that changed since the preview is refused."""

import pytest
from django.urls import reverse

from core.errors import InvalidTransition
from core.models import AuditEvent
from org import directory
from org.models import Department, User
from tests.fakes.fixtures import fake_dingtalk


@pytest.fixture
def dingtalk(httpserver, settings):
    return fake_dingtalk(httpserver, settings)


@pytest.fixture
def school(db, dingtalk):
    """Yishi knows 教务处 and three people; DingTalk has 教务处, 第一党支部 and four people."""
    jiaowu = Department.objects.create(name="教务处")
    admin = User.objects.create_superuser(username="root", password="Correct-horse-42")
    User.objects.create_user(username="t0001", name="张老师", mobile="13800000001", department=jiaowu)
    User.objects.create_user(username="t0002", name="李老师", dingtalk_userid="ding-li", department=jiaowu)
    User.objects.create_user(username="t0003", name="王老师", dingtalk_userid="ding-wang", department=jiaowu)
    dingtalk.add_department(10, "教务处")
    dingtalk.add_department(20, "第一党支部")
    dingtalk.add_member("ding-zhang", name="张老师", mobile="13800000001", dept_ids=[10])
    dingtalk.add_member("ding-li", name="李老师", title="副处长", dept_ids=[10])
    dingtalk.add_member("ding-zhao", name="赵老师", mobile="13800000009", title="教师", dept_ids=[20])
    dingtalk.add_member("ding-qian", name="钱老师", dept_ids=[20])
    return admin


def kinds(plan):
    return sorted((c.kind, c.key) for c in plan.changes)


def test_the_preview_names_each_change_and_keeps_nothing(school):
    before = (Department.objects.count(), User.objects.count(), AuditEvent.objects.count())
    plan = directory.plan()
    assert plan.departments == 2 and plan.people == 4
    assert kinds(plan) == [
        ("dept.create", "第一党支部"),
        ("user.create", "ding-qian"),
        ("user.create", "ding-zhao"),
        ("user.deactivate", "ding-wang"),
        ("user.link", "ding-zhang"),
        ("user.update", "ding-li"),
    ]
    assert (Department.objects.count(), User.objects.count(), AuditEvent.objects.count()) == before


def test_applying_the_previewed_plan_changes_the_school_on_record(school):
    plan = directory.plan()
    directory.apply(actor=school, fingerprint=plan.fingerprint)
    zhao = User.objects.get(dingtalk_userid="ding-zhao")
    assert zhao.name == "赵老师" and zhao.department.name == "第一党支部" and zhao.title == "教师"
    assert not zhao.has_usable_password()
    assert User.objects.get(username="t0001").dingtalk_userid == "ding-zhang"  # linked by mobile
    assert User.objects.get(username="t0002").title == "副处长"
    wang = User.objects.get(username="t0003")
    assert not wang.is_active  # left: deactivated, still on record
    assert AuditEvent.objects.filter(actor=school, verb="directory.deactivate", target_id=wang.pk).exists()
    assert AuditEvent.objects.filter(actor=school, verb__startswith="directory.").count() == 6
    # Nothing left to do.
    assert directory.plan().changes == []


def test_a_directory_that_changed_since_the_preview_is_refused(school, dingtalk):
    plan = directory.plan()
    dingtalk.add_member("ding-sun", name="孙老师", dept_ids=[10])
    with pytest.raises(InvalidTransition, match="重新预览"):
        directory.apply(actor=school, fingerprint=plan.fingerprint)
    assert not User.objects.filter(name="孙老师").exists()
    assert User.objects.get(username="t0003").is_active


def test_the_administrator_previews_and_applies_in_the_admin(client, school):
    client.force_login(school)
    page = client.get(reverse("admin:org_user_directory"))
    text = page.content.decode()
    assert page.status_code == 200
    assert "新增部门：第一党支部" in text and "停用（已不在通讯录）：王老师" in text
    plan = directory.plan()
    response = client.post(reverse("admin:org_user_directory"), {"fingerprint": plan.fingerprint})
    assert response.status_code == 302
    assert User.objects.filter(dingtalk_userid="ding-qian").exists()
    stale = client.post(reverse("admin:org_user_directory"), {"fingerprint": plan.fingerprint}, follow=True)
    assert "通讯录在预览之后有变化" in stale.content.decode()


def test_without_dingtalk_the_page_says_so(client, db, settings):
    settings.DINGTALK_APP_KEY = ""
    admin = User.objects.create_superuser(username="root", password="Correct-horse-42")
    client.force_login(admin)
    response = client.get(reverse("admin:org_user_directory"))
    assert response.status_code == 409
    assert "尚未配置钉钉" in response.content.decode()


def test_dingtalk_down_is_a_clear_message_not_an_error_page(client, school, dingtalk):
    dingtalk.rate_limited = 5
    client.force_login(school)
    response = client.get(reverse("admin:org_user_directory"))
    assert response.status_code == 503
    assert "钉钉暂时无法访问" in response.content.decode()


def test_the_nightly_check_tells_the_administrators_once_and_changes_nothing(school):
    from core.models import Notification
    from org.jobs import check_directory

    assert check_directory() == 1
    assert check_directory() == 0  # the same changes: told once
    note = Notification.objects.get(recipient=school)
    assert "钉钉通讯录有 6 项变化待确认同步" in note.text
    assert User.objects.get(username="t0003").is_active  # nothing applied by the job
