from django.db import migrations

# On PostgreSQL the database refuses to change what was noticed: a published notice is never
# deleted and only the meeting it is queued for may change; audiences are append-only; a read
# receipt is never deleted and its read_at is set once.
FORWARD = """
CREATE TRIGGER notices_noticeaudience_append_only
    BEFORE UPDATE OR DELETE ON notices_noticeaudience
    FOR EACH ROW EXECUTE FUNCTION yishi_refuse_change();

CREATE OR REPLACE FUNCTION yishi_refuse_published_notice_change() RETURNS trigger AS $$
BEGIN
    IF OLD.state = 'published' AND (
        TG_OP = 'DELETE'
        OR NEW.level IS DISTINCT FROM OLD.level
        OR NEW.title IS DISTINCT FROM OLD.title
        OR NEW.body IS DISTINCT FROM OLD.body
        OR NEW.resolution_id IS DISTINCT FROM OLD.resolution_id
        OR NEW.period IS DISTINCT FROM OLD.period
        OR NEW.state IS DISTINCT FROM OLD.state
        OR NEW.confidential IS DISTINCT FROM OLD.confidential
        OR NEW.created_by_id IS DISTINCT FROM OLD.created_by_id
        OR NEW.created_at IS DISTINCT FROM OLD.created_at
        OR NEW.published_at IS DISTINCT FROM OLD.published_at
    ) THEN
        RAISE EXCEPTION USING
            MESSAGE = 'notice ' || OLD.id || ' is published: ' || TG_OP || ' refused',
            ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER notices_notice_published
    BEFORE UPDATE OR DELETE ON notices_notice
    FOR EACH ROW EXECUTE FUNCTION yishi_refuse_published_notice_change();

CREATE OR REPLACE FUNCTION yishi_refuse_receipt_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE'
        OR OLD.read_at IS NOT NULL
        OR NEW.id IS DISTINCT FROM OLD.id
        OR NEW.notice_id IS DISTINCT FROM OLD.notice_id
        OR NEW.person_id IS DISTINCT FROM OLD.person_id
    THEN
        RAISE EXCEPTION USING
            MESSAGE = 'read receipt ' || OLD.id || ' is set once: ' || TG_OP || ' refused',
            ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER notices_noticerecipient_read_once
    BEFORE UPDATE OR DELETE ON notices_noticerecipient
    FOR EACH ROW EXECUTE FUNCTION yishi_refuse_receipt_change();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS notices_noticeaudience_append_only ON notices_noticeaudience;
DROP TRIGGER IF EXISTS notices_notice_published ON notices_notice;
DROP TRIGGER IF EXISTS notices_noticerecipient_read_once ON notices_noticerecipient;
DROP FUNCTION IF EXISTS yishi_refuse_published_notice_change();
DROP FUNCTION IF EXISTS yishi_refuse_receipt_change();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    # yishi_refuse_change() comes from core's append-only migration.
    dependencies = [("notices", "0001_initial"), ("core", "0003_append_only_audit")]
    operations = [migrations.RunPython(forward, backward)]
