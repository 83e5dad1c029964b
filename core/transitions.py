"""Every stateful model's moves, declared once as a table and asked here.

A table (`Transitions`) belongs to one model and lists its moves: the action, the states it is
taken from, the states it may lead to (none: the state stays), who may take it (a reference to
the one access function of that rule), and the audit verb it writes. Services call `check`
before they write; pages call `allowed_actions` to know which buttons to show; the tests walk
the tables; `manage.py describe_transitions` writes them into docs/architecture.md.

`check` asks who first, then the state: a person who may never take the step hears 403 whatever
the record's state, and a person who may hears 409 when the record has moved on.

The rule is named by its dotted path ("decisions.access.may_take") because the tables live in
models.py, below the access modules that import the models. The references are resolved when
first used, and `check_references` (a system check, and a test) resolves them all at start-up,
so a typo stops the server instead of failing on a click.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache

from django.core import checks
from django.db import models
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from core.errors import InvalidTransition, conflict, forbidden


@dataclass(frozen=True)
class Move:
    """One row of a table. `targets` empty: the step leaves the state as it is.

    `who` is the dotted path of the access function; it is called as
    who(user, <obj or obj.<of>>, **args, **context) when `of` is a string ("" for the object
    itself), and who(user, **args, **context) when `of` is None. It answers True/None (may) or
    False/a reason (may not); on False the person is told `refusal`.
    `system`: the step is also taken by Yishi itself (a job, or another app's service), with
    no person (actor None).
    """

    label: str
    sources: frozenset[str]
    targets: frozenset[str] = frozenset()
    needs_reason: bool = False
    who: str = ""
    of: str | None = ""
    args: tuple[tuple[str, object], ...] = ()
    refusal: str = ""
    verb: str = ""  # the audit event it writes ("": the row is its own record)
    system: bool = False
    blocked: str = ""  # the 409 text of this row, when the table's general one does not fit

    @property
    def stays(self) -> bool:
        return not self.targets


# The decisions app's rows were written as Step(label, sources, targets, needs_reason) first.
Step = Move


@dataclass
class Transitions:
    """The table of one model. `state_refusal` is the 409 text: %(state)s and %(step)s."""

    model: type[models.Model]
    moves: dict[str, Move]
    state_refusal: str
    field: str = "state"
    enum: type[models.TextChoices] | None = None
    name: str = ""

    def __post_init__(self) -> None:
        if not self.name:
            self.name = self.model._meta.label
        states = self.states
        for action, move in self.moves.items():
            unknown = (set(move.sources) | set(move.targets)) - set(states)
            if unknown:
                raise ValueError(f"{self.name}.{action}: unknown states {sorted(unknown)}")
            if not (move.who or move.system):
                raise ValueError(f"{self.name}.{action}: no rule says who may take it")

    @property
    def states(self) -> type[models.TextChoices]:
        return self.enum or _enum_of(self.model, self.field)

    def __getitem__(self, action: str) -> Move:
        return self.moves[action]

    def __contains__(self, action: str) -> bool:
        return action in self.moves

    def __iter__(self):
        return iter(self.moves)

    def items(self):
        return self.moves.items()

    # --- asking -----------------------------------------------------------------------------

    def who_refuses(self, user, obj, action: str, **context) -> str | None:
        """The reason `user` may not take `action` on `obj` as far as who they are, or None."""
        move = self.moves[action]
        if user is None:
            return None if move.system else _("此操作须由具体人员进行")
        if not move.who:
            return move.refusal or _("此操作由系统自动进行")
        rule = resolve(move.who)
        params = {**dict(move.args), **context}
        subject = () if move.of is None else (_follow(obj, move.of),)
        answer = rule(user, *subject, **params)
        if answer is True or answer is None:
            return None
        if answer is False:
            return str(move.refusal) or _("您无权进行此操作")
        return str(answer)

    def state_refuses(self, obj, action: str) -> str | None:
        move = self.moves[action]
        state = getattr(obj, self.field)
        if state in move.sources:
            return None
        text = str(move.blocked or self.state_refusal)
        return text % {"state": self.states(state).label, "step": move.label} if "%(" in text else text

    def check(self, user, obj, action: str, *, to: str | None = None, **context) -> Move:
        """Who first (403), then the state (409), then the target state (409). Returns the row."""
        if action not in self.moves:
            raise InvalidTransition(_("未知操作"), status=404)
        move = self.moves[action]
        reason = self.who_refuses(user, obj, action, **context)
        if reason:
            raise forbidden(reason)
        reason = self.state_refuses(obj, action)
        if reason:
            raise conflict(reason)
        if to is not None and to not in (move.targets or move.sources):
            raise conflict(
                _("%(step)s不能使%(model)s进入“%(state)s”")
                % {"step": move.label, "model": self.model._meta.verbose_name, "state": self.states(to).label}
            )
        return move

    def allowed_actions(self, user, obj, *, actions: Iterable[str] | None = None, **context) -> set[str]:
        """The actions `user` may take on `obj` now: what a page shows buttons for."""
        names = self.moves if actions is None else actions
        return {
            a
            for a in names
            if self.state_refuses(obj, a) is None
            and user is not None
            and self.who_refuses(user, obj, a, **context) is None
        }

    def target(self, action: str) -> str:
        """The one state `action` leads to (for a row with exactly one)."""
        (to,) = self.moves[action].targets
        return to

    def apply(self, obj, *, actor, action: str, to: str | None = None, reason: str = "", data=None, fields=()):
        """Move a locked `obj` (already checked) and write the audit row. Returns the state before."""
        from core import audit

        move = self.moves[action]
        before = getattr(obj, self.field)
        after = to if to is not None else (self.target(action) if move.targets else before)
        setattr(obj, self.field, after)
        obj.save(update_fields=[self.field, *fields])
        audit.record(
            actor=actor, verb=move.verb, target=obj, from_state=before, to_state=after, reason=reason, data=data
        )
        return before


def _enum_of(model, field_name):
    """The TextChoices class of a state field (declared as Model.State, or named in `choices`)."""
    enum = getattr(model, "State", None)
    if enum is not None and set(enum.values) == {v for v, _l in model._meta.get_field(field_name).choices}:
        return enum
    raise LookupError(f"{model._meta.label}.{field_name}: no TextChoices enum named State")


def _follow(obj, path: str):
    for part in filter(None, path.split(".")):
        obj = getattr(obj, part)
    return obj


@cache
def resolve(path: str) -> Callable:
    return import_string(path)


# --- the registry -----------------------------------------------------------------------------

REGISTRY: dict[type[models.Model], Transitions] = {}


def declare(
    model: type[models.Model],
    moves: dict[str, Move],
    *,
    state_refusal: str,
    field: str = "state",
    states: type[models.TextChoices] | None = None,
) -> Transitions:
    table = Transitions(model=model, moves=moves, state_refusal=state_refusal, field=field, enum=states)
    REGISTRY[model] = table
    return table


def table_for(obj_or_model) -> Transitions:
    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    return REGISTRY[model._meta.concrete_model]


def check(user, obj, action: str, **kwargs) -> Move:
    return table_for(obj).check(user, obj, action, **kwargs)


def allowed_actions(obj, user, **context) -> set[str]:
    return table_for(obj).allowed_actions(user, obj, **context)


def stateful_models() -> list[type[models.Model]]:
    """Every model with a `state` column: each must declare its table."""
    from django.apps import apps

    return [m for m in apps.get_models() if any(f.name == "state" for f in m._meta.concrete_fields)]


@checks.register()
def check_references(app_configs=None, **kwargs) -> list[checks.Error]:
    errors = [
        checks.Error(f"{model._meta.label} has a state but no transition table", id="yishi.E101")
        for model in stateful_models()
        if model not in REGISTRY
    ]
    for table in REGISTRY.values():
        for action, move in table.moves.items():
            if move.who:
                try:
                    resolve(move.who)
                except ImportError:
                    errors.append(
                        checks.Error(f"{table.name}.{action}: no access function {move.who}", id="yishi.E102")
                    )
    return errors


# --- the tables as text (docs/architecture.md) ----------------------------------------------


def describe() -> str:
    """Every table as Markdown, in the order of the apps."""
    from django.utils import translation

    lines = []
    with translation.override("zh-hans"):
        for model, table in sorted(REGISTRY.items(), key=lambda kv: kv[1].name):
            lines.append(f"#### {table.name} ({model._meta.verbose_name})")
            lines.append("")
            lines.append("| action | from | to | who may | writes |")
            lines.append("| --- | --- | --- | --- | --- |")
            for action, move in table.moves.items():
                sources = ", ".join(f"`{s}`" for s in table.states.values if s in move.sources)
                targets = ", ".join(f"`{s}`" for s in table.states.values if s in move.targets) or "(unchanged)"
                lines.append(
                    f"| `{action}` {move.label} | {sources} | {targets} | {_who_text(move)} | {f'`{move.verb}`' if move.verb else '(the row itself)'}"
                    + (" + reason" if move.needs_reason else "")
                    + " |"
                )
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _who_text(move: Move) -> str:
    parts = []
    if move.who:
        args = ", ".join(f"{k}={v!r}" for k, v in move.args)
        target = "" if move.of is None else (", obj" if not move.of else f", obj.{move.of}")
        parts.append(f"`{move.who}(user{target}{', ' + args if args else ''})`")
    if move.system:
        parts.append("Yishi itself")
    return " or ".join(parts)
