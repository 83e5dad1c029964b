from django.db import migrations

from core.records import install

# A letter stays as written and is marked replied once; every supervision record refuses TRUNCATE.


class Migration(migrations.Migration):
    dependencies = [("supervision", "0005_letter_indexes"), ("core", "0007_record_triggers")]
    operations = [
        install(
            set_once_tables={"supervision_letter": [(["state", "replied_at"], "OLD.state = 'open'")]},
            no_truncate_tables=(
                "supervision_letter",
                "supervision_letterreply",
                "supervision_progressreport",
                "supervision_evidence",
                "supervision_reportreview",
                "supervision_taskescalation",
                "supervision_patrolfinding",
                "supervision_branchcheck",
                "supervision_branchcheckmark",
            ),
        ),
    ]
