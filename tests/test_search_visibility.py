"""Search finds what each person may see, and nothing else, for every kind of document.

The rules are the apps' own (decisions.access, meetings.access, notices.access); these tests hold
search to them with the demo accounts. On PostgreSQL they run through the tsquery path, on
SQLite through the icontains fallback; the fallback is also run explicitly on either.
"""

from dataclasses import dataclass

import pytest

from decisions.models import State
from meetings import access as meeting_access
from meetings import services as meeting_services
from meetings.models import Minutes, Resolution
from notices import services as notice_services
from org.models import BodyMember, Department, User
from search import selectors, services
from search.models import SearchDocument
from tests.factories import at_state, draft

OPEN_TITLE = "关于修订学生顶岗实习管理办法的请示"
SECRET_TITLE = "关于实习基地合作企业人选的请示"


@dataclass
class School:
    open_item: object
    secret_item: object
    draft: object
    open_resolution: Resolution
    secret_resolution: Resolution
    open_minutes: Minutes
    secret_minutes: Minutes
    open_notice: object  # the PC resolution's notice, for everyone
    secret_notice: object  # the confidential resolution's notice, short form, attendees only
    dept_notice: object  # an upper-level document for 教务处
    person_notice: object  # a confidential upper-level document for member2 alone

    def key(self, doc: SearchDocument) -> str:
        for name, obj in vars(self).items():
            if doc.object_id == obj.pk and doc.kind == KIND_OF[name]:
                return name
        raise AssertionError(f"unexpected document {doc}")


KIND_OF = {
    "open_item": "item",
    "secret_item": "item",
    "draft": "item",
    "open_resolution": "resolution",
    "secret_resolution": "resolution",
    "open_minutes": "minutes",
    "secret_minutes": "minutes",
    "open_notice": "notice",
    "secret_notice": "notice",
    "dept_notice": "notice",
    "person_notice": "notice",
}


def adjourn(item) -> Minutes:
    """The item's meeting (still in session) adjourns: its minutes are drafted."""
    meeting = item.agenda_entries.get().meeting
    meeting_services.meeting_adjourn(actor=User.objects.get(username="partyoffice"), meeting_id=meeting.pk)
    return Minutes.objects.get(meeting=meeting)


def sign(minutes: Minutes) -> Minutes:
    """Sent for co-signature; every member present signs: the minutes are locked."""
    meeting_services.minutes_send(actor=User.objects.get(username="partyoffice"), minutes_id=minutes.pk)
    for pk in meeting_access.signers(minutes):
        meeting_services.minutes_sign(actor=User.objects.get(pk=pk), minutes_id=minutes.pk)
    minutes.refresh_from_db()
    assert minutes.state == Minutes.State.LOCKED
    return minutes


def lock_minutes(item) -> Minutes:
    return sign(adjourn(item))


def build_school(people) -> School:
    staff, office = people("staff"), people("partyoffice")
    consultees = [people("member1")]
    open_item = at_state(State.RESOLVED, submitter=staff, consultees=consultees, title=OPEN_TITLE)
    secret_item = at_state(
        State.RESOLVED,
        submitter=staff,
        consultees=consultees,
        title=SECRET_TITLE,
        background="拟与两家企业共建实习基地，合作企业人选涉及商业秘密。",
        confidential=True,
    )
    open_resolution, secret_resolution = open_item.resolutions.get(), secret_item.resolutions.get()
    dept_notice = notice_services.notice_create_upper_document(
        actor=office,
        title="关于转发上级实习管理文件的通报",
        body="请各部门认真学习上级关于学生实习管理的文件精神。",
        departments=[Department.objects.get(name="教务处")],
    )
    person_notice = notice_services.notice_create_upper_document(
        actor=office,
        title="实习安全专项检查情况（涉密）",
        body="专项检查发现的问题，仅限组织部长阅知。",
        people=[people("member2")],
        confidential=True,
    )
    for n in (dept_notice, person_notice):
        notice_services.notice_publish(actor=office, notice_id=n.pk)
    school = School(
        open_item=open_item,
        secret_item=secret_item,
        draft=draft(staff, title="实习补贴发放办法（草稿）"),
        open_resolution=open_resolution,
        secret_resolution=secret_resolution,
        open_minutes=lock_minutes(open_item),
        secret_minutes=lock_minutes(secret_item),
        open_notice=notice_services.notice_for_resolution(resolution_id=open_resolution.pk),
        secret_notice=notice_services.notice_for_resolution(resolution_id=secret_resolution.pk),
        dept_notice=dept_notice,
        person_notice=person_notice,
    )
    services.reindex_all()
    return school


@pytest.fixture
def school_docs(people):
    return build_school(people)


def found(user, q: str, school: School, **kwargs) -> set[str]:
    return {school.key(doc) for doc in selectors.search(user, q=q, **kwargs)}


# Who finds what with 实习 (every document says it, except the short-form notice of the
# confidential resolution, found below by what it does say).
EXPECTED = {
    # The submitter: her items and their resolutions; notices to 教务处 and to everyone; no minutes
    # (she did not attend), nothing for member2.
    "staff": {
        "open_item",
        "secret_item",
        "draft",
        "open_resolution",
        "secret_resolution",
        "open_notice",
        "dept_notice",
    },
    # Her department's head: the department's submitted items, confidential too; not her draft.
    "depthead": {"open_item", "secret_item", "open_resolution", "secret_resolution", "open_notice", "dept_notice"},
    # Another college's teacher: only what was noticed to everyone.
    "teacher": {"open_notice"},
    # A leader who does not attend the Party committee: everything not confidential (a notice to a
    # department too).
    "vice": {"open_item", "open_resolution", "open_minutes", "open_notice", "dept_notice"},
    # A committee member: the confidential item, its resolution and minutes; the notice for her alone.
    "member2": {
        "open_item",
        "secret_item",
        "open_resolution",
        "secret_resolution",
        "open_minutes",
        "secret_minutes",
        "open_notice",
        "dept_notice",
        "person_notice",
    },
    # The discipline secretary observes the committee: its confidential items and minutes too.
    "discipline": {
        "open_item",
        "secret_item",
        "open_resolution",
        "secret_resolution",
        "open_minutes",
        "secret_minutes",
        "open_notice",
        "dept_notice",
    },
    # The Party office runs the committee and writes the notices.
    "partyoffice": {
        "open_item",
        "secret_item",
        "open_resolution",
        "secret_resolution",
        "open_minutes",
        "secret_minutes",
        "open_notice",
        "dept_notice",
        "person_notice",
    },
    # The school affairs office sees every meeting that has no secret, but not the committee's items.
    "affairsoffice": {"open_minutes", "open_notice"},
    # The administrator keeps the system, not the secrets (and is not one of "everyone").
    "admin": {"open_item", "open_resolution", "open_minutes"},
}


@pytest.mark.parametrize("username", sorted(EXPECTED))
def test_search_finds_exactly_what_each_person_may_see(school_docs, people, username):
    assert found(people(username), "实习", school_docs) == EXPECTED[username]


@pytest.mark.parametrize("username", sorted(EXPECTED))
def test_the_fallback_finds_the_same(school_docs, people, username):
    assert found(people(username), "实习", school_docs, full_text=False) == EXPECTED[username]


SECRET_FOUND = {
    "vice": set(),
    "teacher": set(),
    "affairsoffice": set(),
    "member2": {"secret_item", "secret_resolution", "secret_minutes"},  # the minutes name the item
    "depthead": {"secret_item", "secret_resolution"},  # her department's item; not at the meeting
}


@pytest.mark.parametrize("username", sorted(SECRET_FOUND))
def test_a_confidential_title_is_found_only_by_those_who_may_see_it(school_docs, people, username):
    assert found(people(username), "合作企业", school_docs) == SECRET_FOUND[username]


@pytest.mark.parametrize(("username", "sees"), [("vice", False), ("affairsoffice", False), ("member1", True)])
def test_minutes_of_a_meeting_with_a_secret_are_for_its_attendees(school_docs, people, username, sees):
    number = school_docs.secret_minutes.number

    assert found(people(username), number, school_docs) == ({"secret_minutes"} if sees else set())
    assert found(people(username), school_docs.open_minutes.number, school_docs) == {"open_minutes"}


def test_minutes_are_not_for_those_who_neither_lead_nor_attend(school_docs, people):
    for username in ("staff", "teacher", "depthead"):
        assert found(people(username), school_docs.open_minutes.number, school_docs) == set()


def test_a_confidential_resolution_is_noticed_and_found_only_in_short_form(school_docs, people):
    notice = school_docs.secret_notice
    assert notice.title.endswith("（涉密）") and SECRET_TITLE not in notice.body

    # The attendees find the short form by what it says…
    assert "secret_notice" in found(people("member1"), "涉密决议", school_docs)
    # …and nobody finds it by the secret it does not say.
    assert "secret_notice" not in found(people("member1"), "合作企业", school_docs)
    for username in ("teacher", "staff", "vice"):
        assert "secret_notice" not in found(people(username), "涉密决议", school_docs)


def test_documents_know_which_objects_are_confidential(school_docs):
    confidential = {school_docs.key(d) for d in SearchDocument.objects.filter(confidential=True)}

    assert confidential == {"secret_item", "secret_resolution", "secret_minutes", "secret_notice", "person_notice"}


def test_a_withdrawn_right_hides_at_once_without_reindexing(school_docs, people):
    """Visibility is asked of the source rows each time: a document carries no rights."""
    member2 = people("member2")
    assert "secret_item" in found(member2, "合作企业", school_docs)

    BodyMember.objects.filter(user=member2).delete()

    # Still a leader, no longer of the committee: the confidential item and its resolution are gone;
    # the minutes of the meeting she attended stay hers (meetings.access: attendance).
    assert found(people("member2"), "合作企业", school_docs) == {"secret_minutes"}
