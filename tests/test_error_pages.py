"""The pages a person meets when something goes wrong speak Chinese and say what to do next."""

import pytest
from django.test import Client
from django.urls import reverse

from org.models import User


def test_a_form_posted_without_its_token_gets_the_chinese_expiry_page(db):
    User.objects.create_user(username="wanglaoshi", password="Correct-horse-42")
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "wanglaoshi", "password": "Correct-horse-42"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "页面已过期，操作没有提交" in page
    assert "数据也没有被修改" in page
    assert "CSRF verification failed" not in page  # Django's own English page is not shown


@pytest.mark.parametrize(
    ("status", "text"),
    [(400, "请求无法处理"), (403, "没有权限"), (404, "未找到"), (500, "系统暂时出错")],
)
def test_every_error_page_is_chinese_and_leads_back(status, text):
    from django.template.loader import render_to_string

    page = render_to_string(f"{status}.html")
    assert text in page
    assert 'href="/"' in page
    assert "," not in page.split("<body", 1)[-1].replace('content="width=device-width, initial-scale=1"', "")


def test_the_admin_site_is_titled_in_chinese(client, db):
    admin = User.objects.create_superuser(username="root", password="Correct-horse-42")
    client.force_login(admin)
    page = client.get("/admin/").content.decode()
    assert "决策一件事 · 系统管理" in page
    assert "会议" in page and "督查督办" in page
    assert "Django administration" not in page and "Site administration" not in page


def test_the_readme_opens_in_chinese_with_the_two_commands_and_every_demo_account(settings):
    from pathlib import Path

    from demo.people import PASSWORD, PEOPLE

    readme = (Path(settings.BASE_DIR) / "README.md").read_text(encoding="utf-8")
    chinese_part = readme.split("## English", 1)[0]
    assert chinese_part.startswith("# 决策一件事")
    assert "make run" in chinese_part and "make test" in chinese_part
    assert PASSWORD in chinese_part
    for username in [person[0] for person in PEOPLE] + ["admin"]:
        assert f"`{username}`" in chinese_part, username
