"""An object one may not see is answered exactly as one that does not exist.

Every POST action of the permission walk (tests/test_permission_walk.py) on a confidential object,
by everyone the walk's table hides it from, is compared with the same action on an id that does not
exist: the same 404, the same page, and no title, state or meeting body of the object in the page or
in the messages. And the actions that name an object in their form (an emergency agenda item, the
resolution or letter a task comes from) say as little about one the actor may not see.
"""

import datetime as dt
import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from core.errors import InvalidTransition
from decisions.models import AgendaItem
from meetings.models import Meeting
from org.models import User
from supervision import services as supervision_services
from tests import permission_walk_data as data
from tests.test_permission_walk import (  # noqa: F401 - the walk's fixtures
    ANON,
    SECRETS,
    TARGETS,
    USERS,
    _fast_passwords,
    _private_media,
    client_for,
    world,
)


@pytest.fixture
def w(world):  # noqa: F811 - the walk's world, built once per module
    return world


MISSING = 2_000_000_000


def _normalised(body: bytes, *paths: str) -> str:
    text = body.decode()
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", text)
    text = re.sub(r'nonce="[^"]*"', "", text)
    text = re.sub(r"\"X-CSRFToken\": \"[^\"]*\"", "", text)
    for path in paths:
        text = text.replace(path, "<path>")
    return text


def _url(target, w, *, missing: str | None = None) -> str:
    kwargs = {}
    for kwarg, source in target.kwargs:
        if source.startswith("="):
            kwargs[kwarg] = source[1:]
        else:
            kind, key = source.split(":", 1)
            kwargs[kwarg] = MISSING if kwarg == missing else (w.pk[key] if kind == "pk" else w.value[key])
    return reverse(target.name, kwargs=kwargs)


def _hidden_posts():
    out = []
    for t in TARGETS:
        objects = [k for k, source in t.kwargs if source.startswith("pk:")]
        if t.carries is None or not objects or t.query:
            continue
        for role in USERS:
            if t.post.get(role) == "hide":
                out.append(pytest.param(t, role, objects[0], id=f"{t.id}-{role}"))
    return out


@pytest.mark.parametrize(("target", "role", "kwarg"), _hidden_posts())
def test_an_invisible_object_is_answered_as_a_missing_one(target, role, kwarg, w, db):
    client = client_for(role, w)
    url, missing = _url(target, w), _url(target, w, missing=kwarg)

    hidden = client.post(url, {"reason": "理由", "text": "意见"})
    absent = client_for(role, w).post(missing, {"reason": "理由", "text": "意见"})

    assert (hidden.status_code, absent.status_code) == (404, 404)
    assert _normalised(hidden.content, url) == _normalised(absent.content, missing)
    text = hidden.content.decode()
    assert not [s for s in SECRETS if role not in SECRETS[s] and (s in text or s.split(":")[0] in text)]


# --- an object named in the form -------------------------------------------------------------


def _messages(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def test_an_emergency_item_the_chair_may_not_see_is_answered_as_a_missing_one(w, db):
    """The Party secretary chairs the meeting in progress; the confidential PO item of the school
    affairs office is not his to see. Adding it used to say which meeting it was for and its state."""
    live = Meeting.objects.get(pk=w.pk["meeting_live"])
    assert live.state == Meeting.State.IN_PROGRESS and live.chair.username == "secretary"
    url = reverse("meetings:act", kwargs={"pk": live.pk, "action": "emergency"})
    secret = AgendaItem.objects.get(pk=w.pk["item_security"])

    hidden = client_for("secretary", w).post(url, {"item": secret.pk, "reason": "情况紧急"})
    absent = client_for("secretary", w).post(url, {"item": MISSING, "reason": "情况紧急"})

    assert (hidden.status_code, absent.status_code) == (404, 404)
    assert _normalised(hidden.content) == _normalised(absent.content)
    said = hidden.content.decode() + _messages(hidden)
    for word in (data.SECURITY_ITEM, secret.requested_body.name, secret.get_state_display()):
        assert word not in said


def test_an_emergency_item_the_chair_may_see_is_still_refused_with_its_reason(w, db):
    live = Meeting.objects.get(pk=w.pk["meeting_live"])
    url = reverse("meetings:act", kwargs={"pk": live.pk, "action": "emergency"})
    # 关于采购智能制造实训设备的请示: resolved long ago, not confidential, seen by every leader.
    response = client_for("secretary", w).post(url, {"item": w.pk["item_resolved"], "reason": "情况紧急"})

    assert response.status_code == 409


def test_a_task_from_a_resolution_or_letter_one_may_not_see_is_refused_as_missing(w, db):
    """The school affairs office hands out tasks but does not see the confidential resolution's
    item; the dean neither writes nor answers the letter."""
    office = User.objects.get(username="affairsoffice")
    dean = User.objects.get(username="dean")
    common = {
        "track": "performance",
        "title": "落实",
        "lead_department_id": w.pk["dept_finance"],
        "responsible_leader_id": w.pk["user:vice"],
        "deadline": dt.date(2099, 12, 31),
    }
    for actor, source, key in ((office, "resolution_id", "resolution_secret"), (dean, "letter_id", "letter_open")):
        with pytest.raises(InvalidTransition) as hidden:
            supervision_services.task_create(actor=actor, **common, **{source: w.pk[key]})
        with pytest.raises(InvalidTransition) as absent:
            supervision_services.task_create(actor=actor, **common, **{source: MISSING})
        assert (
            (hidden.value.status, str(hidden.value))
            == (absent.value.status, str(absent.value))
            == (404, str(absent.value))
        )
