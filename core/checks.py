"""Start-up checks: the settings that `check --deploy` reports (docs/deploy.md), and the jobs
every `enqueue(...)` in the source names (run by runserver, migrate, the worker and `check`)."""

import ast
from collections.abc import Iterator
from importlib import import_module
from pathlib import Path
from urllib.parse import urlsplit

from django.apps import apps
from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.http.request import validate_host

LOOPBACK = {"127.0.0.1", "localhost", "::1", "0.0.0.0"}  # noqa: S104 - names, not a bind address


@register(Tags.security, deploy=True)
def site_url(app_configs=None, **kwargs) -> list[Warning]:
    """Links in e-mails and DingTalk messages start with SITE_URL: it must be the address people
    use, not this machine's, and one this server answers to."""
    host = urlsplit(settings.SITE_URL).hostname or ""
    if host in LOOPBACK:
        return [
            Warning(
                f"SITE_URL is {settings.SITE_URL}: links in e-mails and DingTalk messages would open this machine.",
                hint="Set SITE_URL to the address people reach Yishi at, e.g. https://yishi.example.edu.cn",
                id="yishi.W001",
            )
        ]
    if not validate_host(host, settings.ALLOWED_HOSTS):
        return [
            Warning(
                f"SITE_URL's host {host} is not in ALLOWED_HOSTS: its links would be refused.",
                hint="Add it to ALLOWED_HOSTS, or correct SITE_URL.",
                id="yishi.W002",
            )
        ]
    return []


@register()
def enqueued_jobs(app_configs=None, **kwargs) -> list[Error]:
    """The job table (config/jobs.py) imports, each job in it imports back by its dotted path, and
    every `enqueue(job, …)` in the apps' source names a job in it, whether by the function or by
    its dotted path: a mistyped path fails here, at start-up, not later in a worker."""
    from core import jobs

    try:
        listed = jobs.registered()
    except Exception as exc:  # noqa: BLE001 - any failure to load the table is the finding
        return [Error(f"{jobs.JOBS_MODULE}: {type(exc).__name__}: {exc}", id="yishi.E010")]
    errors = []
    for app in app_configs or _project_apps():
        for file in sorted(Path(app.path).rglob("*.py")):
            if "migrations" in file.parts:
                continue
            for line, target in _enqueue_calls(file):
                where = f"{file.relative_to(Path(app.path).parent)}:{line}"
                try:
                    path = _job_named(app, file, target)
                    if path not in listed:
                        jobs.registered_path(path)  # raises, naming the nearest listed job
                except (LookupError, ValueError, ImportError, AttributeError) as exc:
                    errors.append(
                        Error(
                            str(exc),
                            hint="List the job in config/jobs.py, or correct its dotted path.",
                            obj=where,
                            id="yishi.E011",
                        )
                    )
    return errors


def _project_apps() -> list:
    return [app for app in apps.get_app_configs() if Path(app.path).parent == Path(settings.BASE_DIR)]


def _enqueue_calls(file: Path) -> Iterator[tuple[int, ast.expr]]:
    """(line, first argument) of each call of `enqueue(…)` or `jobs.enqueue(…)` in a file."""
    for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"), filename=str(file))):
        if not (isinstance(node, ast.Call) and node.args):
            continue
        called = node.func
        if (isinstance(called, ast.Name) and called.id == "enqueue") or (
            isinstance(called, ast.Attribute)
            and called.attr == "enqueue"
            and isinstance(called.value, ast.Name)
            and called.value.id == "jobs"
        ):
            yield node.lineno, node.args[0]


def _job_named(app, file: Path, target: ast.expr) -> str:
    """The dotted path of the job an `enqueue` call names: a string as written, a function name
    (`notify_x`, `services.notify_x`) as the module that calls it sees it."""
    from core.jobs import job_path

    if isinstance(target, ast.Constant) and isinstance(target.value, str):
        return target.value
    names = []
    while isinstance(target, ast.Attribute):
        names.insert(0, target.attr)
        target = target.value
    if not isinstance(target, ast.Name):
        raise LookupError(f"cannot tell which job `{ast.unparse(target)}` is: pass the function or its dotted path")
    parts = [*file.relative_to(app.path).with_suffix("").parts]
    if parts[-1] == "__init__":
        parts.pop()
    found = import_module(".".join([app.name, *parts]))
    for name in [target.id, *names]:
        found = getattr(found, name)
    return job_path(found)
