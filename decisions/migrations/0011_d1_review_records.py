from django.db import migrations

from core.records import install

# A step of a review chain, once approved, returned or skipped, stays as it was (留痕).


class Migration(migrations.Migration):
    dependencies = [("decisions", "0010_d1_major_routes")]
    operations = [
        install(
            set_once_tables={
                "decisions_itemreview": [
                    (
                        [
                            "state",
                            "department_id",
                            "assignee_id",
                            "role",
                            "opened_at",
                            "acted_by_id",
                            "acted_at",
                            "comment",
                            "reminded_at",
                            "escalated_at",
                        ],
                        "OLD.state IN ('waiting', 'pending', 'countersigning')",
                    )
                ]
            },
            no_truncate_tables=("decisions_itemreview",),
        )
    ]
