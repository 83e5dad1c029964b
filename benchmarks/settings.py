"""The settings bench.py measures under: config.settings, read from the same environment, with
its own collected static files, and one knob of its own for comparisons.

With DEBUG off the static files come from the manifest `collectstatic` writes (whitenoise's
CompressedManifestStaticFilesStorage), so bench.py collects them into var/bench/staticfiles
before it measures; a `collectstatic` for the site (STATIC_ROOT, staticfiles/) is not touched.

BENCH_CACHED_TEMPLATES=0 (bench.py --no-cached-loader) lists the template loaders without
Django's cached loader, to show what the cached loader saves. The site always has it, with DEBUG
on or off: config.settings does not list the loaders, and template_partials (its ready()) then
lists its own loader around Django's cached one (as Django itself does, since 4.1, for a list
left out); tests/test_settings.py checks it.
"""

from config.env import env_bool
from config.settings import *  # noqa: F403

STATIC_ROOT = BASE_DIR / "var" / "bench" / "staticfiles"  # noqa: F405

if not env_bool("BENCH_CACHED_TEMPLATES", True):
    TEMPLATES = [  # noqa: F405 - replaces the imported list
        {
            **TEMPLATES[0],  # noqa: F405
            "APP_DIRS": False,
            "OPTIONS": {
                **TEMPLATES[0]["OPTIONS"],  # noqa: F405
                # As template_partials sets them up (its own loader outermost), less the cached one:
                # template_partials replaces any list that does not start with its loader.
                "loaders": [
                    (
                        "template_partials.loader.Loader",
                        [
                            "django.template.loaders.filesystem.Loader",
                            "django.template.loaders.app_directories.Loader",
                        ],
                    )
                ],
            },
        }
    ]
