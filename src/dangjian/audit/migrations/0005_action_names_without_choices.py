"""Audit actions are declared in code (audit.actions), so the column keeps no choices; names
are `<app>.<service>` and need more room. Old rows keep their old names (the log is append-only).

On SQLite, widening the column rebuilds the table, which drops its triggers: they are created
again, so the table stays append-only.
"""

from django.db import migrations, models

SQLITE_TRIGGERS = [
    "DROP TRIGGER IF EXISTS audit_no_update",
    "DROP TRIGGER IF EXISTS audit_no_delete",
    """CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_auditevent
       WHEN NOT EXISTS (SELECT 1 FROM audit_unlock)
       BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;""",
    """CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_auditevent
       WHEN NOT EXISTS (SELECT 1 FROM audit_unlock)
       BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;""",
]


def restore_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_TRIGGERS:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_alter_auditevent_action")]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="action",
            field=models.CharField(db_index=True, max_length=60, verbose_name="操作"),
        ),
        migrations.RunPython(restore_triggers, restore_triggers),
    ]
