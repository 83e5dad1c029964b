"""Every rule of DOMAIN.md is asked in one place: the apps' access modules.

The rules and where they live (docs/architecture.md, "Every rule asked in one place"):

| rule | the one function (or table) |
| --- | --- |
| who sees an agenda item | decisions.access.visibility_filter (can_view) |
| who sees a meeting; its confidential items | meetings.access.visibility_filter, has_confidential(_expression), sees_confidential |
| who sees a notice | notices.access.visibility_filter |
| who sees a task; a letter | supervision.access.task_visibility_filter; supervision.access.visibility_filter |
| who takes a step on an item | decisions.access.may_take / check (STEPS) |
| who takes a step on a meeting | meetings.access.STEP_RULES (arranges, runs, chairs, records) |
| chair of a meeting (its recorded chair) | meetings.access.chairs |
| chair of a body; who organizes it; who attends it | org.access.chairs_body, organizes_body, bodies_attended_by |
| screener | decisions.access.is_screener, screened_by, screener_of |
| consultee | decisions.access.pending_consultation_for |
| co-signer of minutes | meetings.access.SIGNS, signers, signs |
| supervisor of a track | supervision.access.supervised_tracks, can_review |

This test reads the apps' source and fails where a module outside those asks one of the
questions itself. Each check names what it looks for; an allow-list entry says why. It also holds
every module of an app (and of config/) to LINE_LIMIT lines, with no exceptions.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("core", "org", "accounts", "decisions", "meetings", "notices", "supervision", "reports", "search", "dashboard")


def _modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if "/migrations/" in rel or "/management/" in rel:
                continue
            yield rel, ast.parse(path.read_text(encoding="utf-8"), filename=rel)


MODULES = dict(_modules())


def _is_access(rel: str) -> bool:
    return rel.endswith("/access.py")


def _is_selectors(rel: str) -> bool:
    return rel.endswith("/selectors.py") or "/selectors/" in rel


def _is_view(rel: str) -> bool:
    return rel.endswith("/views.py") or "/views/" in rel


def _functions(tree: ast.AST):
    """(enclosing function name or "<module>", node) for every node."""

    def walk(node, name):
        for child in ast.iter_child_nodes(node):
            here = child.name if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) else name
            yield here, child
            yield from walk(child, here)

    yield from walk(tree, "<module>")


def _name(node) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


CHAIR = {"chair", "chair_id"}
BODIES = {"body", "requested_body"}

# (module, function) → why it may do what the check refuses elsewhere.
ALLOWED = {
    "chair of a body read": {
        # A meeting records its body's chair when it is scheduled: that is how `Meeting.chair`,
        # the rule meetings.access.chairs asks, comes to be.
        ("meetings/services.py", "meeting_schedule"),
        ("meetings/services/schedule.py", "meeting_schedule"),
    },
    "chair keyword": {
        ("meetings/services.py", "meeting_schedule"),  # as above: Meeting(chair_id=body.chair_id)
        ("meetings/services/schedule.py", "meeting_schedule"),
    },
}


def findings(check: str, modules: dict[str, ast.AST] | None = None) -> list[str]:
    found = []
    for rel, tree in (modules or MODULES).items():
        for func, node in _functions(tree):
            if (rel, func) in ALLOWED.get(check, ()):
                continue
            if _offends(check, rel, node):
                found.append(f"{rel}:{node.lineno} ({func})")
    return found


def _offends(check: str, rel: str, node: ast.AST) -> bool:
    if check == "chair compared":
        # who is the chair: `x.chair_id == user.pk`, `user.pk != meeting.chair_id`, `pid in (meeting.chair_id, …)`
        if _is_access(rel) or not isinstance(node, ast.Compare):
            return False
        if all(isinstance(c, ast.Constant) and c.value is None for c in node.comparators):
            return False  # `body.chair_id is None`: whether there is a chair, not who
        operands = [node.left, *node.comparators]
        for op in operands:
            if isinstance(op, ast.Attribute) and op.attr in CHAIR:
                return True
            if isinstance(op, ast.Tuple | ast.List | ast.Set) and any(
                isinstance(e, ast.Attribute) and e.attr in CHAIR for e in op.elts
            ):
                return True
        return False
    if check == "chair of a body read":
        # body.chair / item.requested_body.chair_id: the screener or organizer decided by hand
        return (
            not _is_access(rel)
            and isinstance(node, ast.Attribute)
            and node.attr in CHAIR
            and _name(node.value) in BODIES
        )
    if check == "chair keyword":
        # .filter(requested_body__chair=user), Q(chair=user): who chairs, asked in a query
        return (
            not _is_access(rel)
            and isinstance(node, ast.Call)
            and any(k.arg and k.arg.split("__")[-1] in CHAIR for k in node.keywords)
        )
    if check == "confidential filtered":
        # .filter(confidential=False), Q(item__confidential=True): visibility decided by hand
        if _is_access(rel) or _is_selectors(rel) or not isinstance(node, ast.Call):
            return False
        if _name(node.func) not in ("filter", "exclude", "Q", "get"):
            return False
        return any(k.arg and k.arg.split("__")[-1] == "confidential" for k in node.keywords)
    if check == "raw POST in a view":
        # request.POST["x"], request.POST.get("x"): inputs come through forms
        if not _is_view(rel):
            return False

        def post(n):
            return (
                isinstance(n, ast.Attribute)
                and n.attr == "POST"
                and isinstance(n.value, ast.Name)
                and n.value.id == "request"
            )

        if isinstance(node, ast.Subscript) and post(node.value):
            return True
        return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and post(node.func.value)
    if check == "role checked by hand":
        # user.has_role(Role.X): who may, decided outside the rules
        return (
            not _is_access(rel)
            and not rel.startswith("org/models")
            and isinstance(node, ast.Call)
            and _name(node.func) == "has_role"
        )
    if check == "signers by hand":
        # Attendance rows filtered on kind=MEMBER and status=PRESENT: the co-signers, by hand
        if _is_access(rel) or not isinstance(node, ast.Call):
            return False
        keys = {k.arg.split("__")[-1] for k in node.keywords if k.arg}
        return {"kind", "status"} <= keys and "Attendance.Kind.MEMBER" in ast.unparse(node)
    raise ValueError(check)


CHECKS = (
    "chair compared",
    "chair of a body read",
    "chair keyword",
    "confidential filtered",
    "raw POST in a view",
    "role checked by hand",
    "signers by hand",
)


@pytest.mark.parametrize("check", CHECKS)
def test_no_module_asks_a_rule_outside_the_access_modules(check):
    assert findings(check) == [], f"{check}: ask the access module instead"


DUPLICATES = {
    "chair compared": "def f(user, meeting):\n    return user.pk == meeting.chair_id\n",
    "chair of a body read": "def f(item):\n    return item.requested_body.chair\n",
    "chair keyword": "def f(user):\n    return Item.objects.filter(requested_body__chair=user)\n",
    "confidential filtered": "def f():\n    return Notice.objects.filter(confidential=False)\n",
    "raw POST in a view": "def v(request):\n    return request.POST.get('reason', '')\n",
    "role checked by hand": "def f(user):\n    return user.has_role(Role.PARTY_OFFICE)\n",
    "signers by hand": (
        "def f(m):\n    return m.attendance.filter(kind=Attendance.Kind.MEMBER, status=Attendance.Status.PRESENT)\n"
    ),
}


@pytest.mark.parametrize("check", CHECKS)
def test_each_check_finds_a_rule_written_again(check):
    """The checks are not blind: each finds its question asked again in a view or a service."""
    rel = "meetings/views.py" if check == "raw POST in a view" else "meetings/services/extra.py"
    tree = ast.parse(DUPLICATES[check])
    assert findings(check, {rel: tree}) == [f"{rel}:2 ({tree.body[0].name})"]
    assert findings(check, {"meetings/access.py": tree}) == [] or check == "raw POST in a view"


def test_every_allowed_exception_still_exists():
    """An allow-list entry for code that is gone is removed, not kept."""
    defined = {
        (rel, node.name)
        for rel, tree in MODULES.items()
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef)
    }
    for check, entries in ALLOWED.items():
        assert entries & defined, check


# --- size: no module of an app over LINE_LIMIT lines ------------------------------------------

LINE_LIMIT = 400
# Every package of Yishi's own (the INSTALLED_APPS of the project, and config/); migrations are
# generated and stay as they are.
SIZED = (*APPS, "demo", "config")


def long_modules(root: Path = ROOT, packages=SIZED, limit: int = LINE_LIMIT) -> dict[str, int]:
    found = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            rel = path.relative_to(root).as_posix()
            if "/migrations/" in rel:
                continue
            lines = len(path.read_text(encoding="utf-8").splitlines())
            if lines > limit:
                found[rel] = lines
    return found


def test_no_module_of_an_app_is_over_the_line_limit():
    """A module past LINE_LIMIT lines is split along its seams (a package, one module a part)."""
    assert long_modules() == {}


def test_the_line_limit_finds_a_long_module(tmp_path):
    (tmp_path / "meetings" / "services").mkdir(parents=True)
    (tmp_path / "meetings" / "migrations").mkdir()
    (tmp_path / "meetings" / "services" / "long.py").write_text("x = 1\n" * (LINE_LIMIT + 1))
    (tmp_path / "meetings" / "services" / "short.py").write_text("x = 1\n" * LINE_LIMIT)
    (tmp_path / "meetings" / "migrations" / "0001_initial.py").write_text("x = 1\n" * (LINE_LIMIT + 1))

    assert long_modules(tmp_path, ("meetings",)) == {"meetings/services/long.py": LINE_LIMIT + 1}
    assert set(SIZED) >= {"core", "org", "decisions", "meetings", "notices", "supervision", "demo", "config"}
