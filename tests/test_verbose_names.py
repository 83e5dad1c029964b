"""The administrator's pages and every form label speak Chinese: each model and each of its
fields has a Chinese name (verbose_name), not the English one Django makes from the attribute."""

import re

from django.apps import apps
from django.conf import settings
from django.utils import translation

CJK = re.compile(r"[\u4e00-\u9fff]")
YISHI_APPS = [name for name in settings.INSTALLED_APPS if "." not in name and (settings.BASE_DIR / name).is_dir()]


def unnamed() -> list[str]:
    missing = []
    with translation.override("zh-hans"):
        for label in YISHI_APPS:
            for model in apps.get_app_config(label).get_models():
                where = f"{model._meta.label}"
                if not CJK.search(str(model._meta.verbose_name)):
                    missing.append(f"{where} (model)")
                for field in model._meta.get_fields(include_hidden=False):
                    if field.auto_created and not field.concrete:
                        continue  # a reverse relation: named by the other side
                    if getattr(field, "primary_key", False) and field.auto_created:
                        continue
                    if not CJK.search(str(getattr(field, "verbose_name", ""))):
                        missing.append(f"{where}.{field.name}")
    return missing


def test_every_model_and_field_has_a_chinese_name():
    missing = unnamed()
    assert not missing, f"{len(missing)} without a Chinese verbose_name:\n" + "\n".join(missing)


def test_the_check_sees_the_apps():
    assert {"org", "decisions", "meetings", "notices", "supervision"} <= set(YISHI_APPS)
