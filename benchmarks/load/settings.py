"""The production settings (config.settings, read from the same environment, through
benchmarks.settings: BENCH_CACHED_TEMPLATES applies here too) with one change: the URLconf is
benchmarks.floor_urls, the site's URLs plus /__bench__/floor/, the minimal logged-in page the
load run's ceiling is measured on. Only the load run's gunicorn uses it
(DJANGO_SETTINGS_MODULE=benchmarks.load.settings); the site itself never serves the floor."""

from benchmarks.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.floor_urls"

# Its own collected static files (with DEBUG off whitenoise serves them from the manifest), so
# that a `collectstatic` elsewhere in the same checkout cannot change them under a running test.
STATIC_ROOT = BASE_DIR / "var" / "load" / "staticfiles"  # noqa: F405
