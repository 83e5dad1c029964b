from django.db import migrations

from core.records import install

# Attendance is marked while the meeting is published or running, never after; an agenda entry is
# ordered while planned, then dropped or decided once, its vote opened and closed once. Every
# meeting record refuses TRUNCATE.
MEETING_STATE = "(SELECT state FROM meetings_meeting WHERE id = OLD.meeting_id)"


class Migration(migrations.Migration):
    dependencies = [("meetings", "0003_dashboard_indexes"), ("core", "0007_record_triggers")]
    operations = [
        install(
            set_once_tables={
                "meetings_attendance": [
                    (["status", "absence_reason"], f"{MEETING_STATE} IN ('published', 'in_progress')"),
                ],
                "meetings_agendaentry": [
                    (["position"], f"OLD.outcome = '' AND OLD.dropped_at IS NULL AND {MEETING_STATE} = 'planning'"),
                    (["dropped_at", "dropped_reason"], "OLD.dropped_at IS NULL AND OLD.outcome = ''"),
                    (
                        ["outcome", "outcome_note", "decided_at", "decided_by_id"],
                        "OLD.outcome = '' AND OLD.dropped_at IS NULL",
                    ),
                    (
                        ["vote_state"],
                        "OLD.vote_state = 'open' OR (OLD.vote_state = '' AND OLD.outcome = '' AND OLD.dropped_at IS NULL)",
                    ),
                ],
            },
            no_truncate_tables=(
                "meetings_attendance",
                "meetings_agendaentry",
                "meetings_recusal",
                "meetings_opinion",
                "meetings_vote",
                "meetings_resolution",
                "meetings_minutes",
                "meetings_minutessignature",
            ),
        ),
    ]
