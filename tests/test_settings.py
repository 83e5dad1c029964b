"""Settings come from the environment; production mode passes Django's deployment checks."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


UNSET = ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "SITE_URL", "DJANGO_SETTINGS_MODULE")
UNSET += ("SECURE_SSL_REDIRECT", "DB_CONN_MAX_AGE", "BENCH_CACHED_TEMPLATES")


def manage(*args, **env):
    clean = {k: v for k, v in os.environ.items() if k not in UNSET}
    return subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_it_passes_check_deploy_in_production_mode():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY="x7#Kp2!vQ9zLm4@Rt8&Yw1$Nc6^Hb3*Gd5(Fj0)Se-Ua_Ve+Wf=Xg",
        ALLOWED_HOSTS="yishi.school.example",
        SITE_URL="https://yishi.school.example",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_refuses_to_start_without_a_secret_key_in_production():
    result = manage("check", DEBUG="0", SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_it_refuses_a_malformed_boolean():
    result = manage("check", DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG='maybe' is not a boolean" in result.stderr


# --- the knobs the production measurements rely on (issue 18) ---------------------------------
PRODUCTION = {"DEBUG": "0", "SECRET_KEY": "x7#Kp2!vQ9zLm4@Rt8&Yw1$Nc6^Hb3*Gd5(Fj0)Se-Ua_Ve+Wf=Xg"}
READ = """
import json
from django.conf import settings
from django.db import connection
from django.template import engines

def chain(loaders):
    return [[type(l).__module__ + "." + type(l).__name__, chain(getattr(l, "loaders", []))] for l in loaders]

engine = engines["django"].engine
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "SECURE_SSL_REDIRECT": settings.SECURE_SSL_REDIRECT,
    "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
    "CSRF_COOKIE_SECURE": settings.CSRF_COOKIE_SECURE,
    "SECURE_HSTS_SECONDS": settings.SECURE_HSTS_SECONDS,
    "CONN_MAX_AGE": connection.settings_dict["CONN_MAX_AGE"],
    "CONN_HEALTH_CHECKS": connection.settings_dict["CONN_HEALTH_CHECKS"],
    "loaders": chain(engine.template_loaders),
    "template_debug": engine.debug,
    "STATIC_ROOT": str(settings.STATIC_ROOT),
    "static_storage": settings.STORAGES["staticfiles"]["BACKEND"],
}))
"""


def settings_under(**env) -> dict:
    """The settings a process started with this environment resolves (the knobs in UNSET not given
    here are unset)."""
    result = manage("shell", "-c", READ, **env)
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def has_cached_loader(chain) -> bool:
    return any(name == "django.template.loaders.cached.Loader" or has_cached_loader(inner) for name, inner in chain)


def test_production_redirects_to_https_unless_the_loopback_measurement_turns_it_off():
    secure = settings_under(**PRODUCTION)
    assert secure["SECURE_SSL_REDIRECT"] is True
    plain = settings_under(**PRODUCTION, SECURE_SSL_REDIRECT="0")
    assert plain["SECURE_SSL_REDIRECT"] is False
    # Only the redirect: the cookies stay Secure and HSTS is still sent over https.
    assert plain["SESSION_COOKIE_SECURE"] is True
    assert plain["CSRF_COOKIE_SECURE"] is True
    assert plain["SECURE_HSTS_SECONDS"] == secure["SECURE_HSTS_SECONDS"] > 0
    refused = manage("check", **PRODUCTION, SECURE_SSL_REDIRECT="sometimes")
    assert refused.returncode != 0
    assert "SECURE_SSL_REDIRECT='sometimes' is not a boolean" in refused.stderr


def test_database_connections_persist_for_db_conn_max_age_seconds():
    url = "postgres://yishi@127.0.0.1:5432/yishi"  # read, never connected to
    default = settings_under(**PRODUCTION, DATABASE_URL=url)
    assert default["CONN_MAX_AGE"] == 60
    assert default["CONN_HEALTH_CHECKS"] is True  # a pooled connection broken by a restart is replaced
    assert settings_under(**PRODUCTION, DATABASE_URL=url, DB_CONN_MAX_AGE="0")["CONN_MAX_AGE"] == 0
    assert settings_under(**PRODUCTION, DATABASE_URL=url, DB_CONN_MAX_AGE="600")["CONN_MAX_AGE"] == 600
    refused = manage("check", **PRODUCTION, DATABASE_URL=url, DB_CONN_MAX_AGE="forever")
    assert refused.returncode != 0
    assert "DB_CONN_MAX_AGE='forever' is not an integer" in refused.stderr


def test_templates_are_cached_with_debug_on_and_off_and_debug_info_only_with_debug_on():
    production = settings_under(**PRODUCTION)
    assert has_cached_loader(production["loaders"]), production["loaders"]
    assert production["template_debug"] is False
    assert production["static_storage"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    demo = settings_under(DEBUG="1")
    assert has_cached_loader(demo["loaders"]), demo["loaders"]
    assert demo["template_debug"] is True


def test_the_bench_settings_collect_static_files_of_their_own_and_can_leave_the_cached_loader_out():
    bench = settings_under(**PRODUCTION, DJANGO_SETTINGS_MODULE="benchmarks.settings")
    assert bench["STATIC_ROOT"] == str(ROOT / "var" / "bench" / "staticfiles")
    assert has_cached_loader(bench["loaders"])
    plain = settings_under(**PRODUCTION, DJANGO_SETTINGS_MODULE="benchmarks.settings", BENCH_CACHED_TEMPLATES="0")
    assert not has_cached_loader(plain["loaders"]), plain["loaders"]
    # Still the same loaders otherwise: partials, then the project's templates, then the apps'.
    assert plain["loaders"] == [
        [
            "template_partials.loader.Loader",
            [
                ["django.template.loaders.filesystem.Loader", []],
                ["django.template.loaders.app_directories.Loader", []],
            ],
        ]
    ]


def test_bench_measures_under_production_settings_unless_told_otherwise():
    from benchmarks import bench

    parser = bench.parser()
    production = bench.measured_env(parser.parse_args([]))
    assert production["DEBUG"] == "0"
    assert production["SECURE_SSL_REDIRECT"] == "0"
    assert len(production["SECRET_KEY"]) >= 50
    assert production["DJANGO_SETTINGS_MODULE"] == "benchmarks.settings"
    assert "DB_CONN_MAX_AGE" not in production  # the settings' own 60 s
    assert "BENCH_CACHED_TEMPLATES" not in production
    debug = bench.measured_env(parser.parse_args(["--debug"]))
    assert debug["DEBUG"] == "1"
    assert "SECURE_SSL_REDIRECT" not in debug
    ablated = bench.measured_env(parser.parse_args(["--conn-max-age", "0", "--no-cached-loader"]))
    assert ablated["DB_CONN_MAX_AGE"] == "0"
    assert ablated["BENCH_CACHED_TEMPLATES"] == "0"
