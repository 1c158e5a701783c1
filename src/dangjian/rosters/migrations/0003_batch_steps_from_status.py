"""Batches uploaded before the procedure engine get one step carrying their status over, so
their state (derived from steps) is what it was."""

from django.db import migrations


def carry_over(apps, schema_editor):
    batch_model = apps.get_model("rosters", "ImportBatch")
    step_model = apps.get_model("core", "ProcedureStep")
    known = set(
        step_model.objects.filter(procedure="roster_import").values_list("target_id", flat=True)
    )
    step_model.objects.bulk_create(
        step_model(
            procedure="roster_import",
            target_id=batch.pk,
            step="carried_over",
            from_state="",
            to_state=batch.status,
            actor_id=batch.created_by_id,
            at=batch.status_at,
            effective_date=batch.status_at.date(),
            note="启用办理记录之前的批次",
        )
        for batch in batch_model.objects.exclude(pk__in=known).iterator()
    )


class Migration(migrations.Migration):
    dependencies = [
        ("rosters", "0002_batch_status_at"),
        ("core", "0003_procedure_steps"),
    ]

    operations = [migrations.RunPython(carry_over, migrations.RunPython.noop)]
