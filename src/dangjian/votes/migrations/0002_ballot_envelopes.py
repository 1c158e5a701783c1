"""Sealed envelopes for ballots while a poll is open (decision 22), and the ballots already
stored rewritten in a random order: until now they lay in the order they were cast."""

import secrets
import uuid

import django.db.models.deletion
from django.db import migrations, models


def shuffle_stored_ballots(apps, schema_editor):
    """Re-insert each poll's ballots (same ids, contents and seals, so the seals and the
    recorded digests still match) in a random order, in this one transaction."""
    Ballot = apps.get_model("votes", "Ballot")
    shuffle = secrets.SystemRandom().shuffle
    for poll_id in Ballot.objects.values_list("poll_id", flat=True).distinct():
        ballots = list(Ballot.objects.filter(poll_id=poll_id))
        shuffle(ballots)
        Ballot.objects.filter(poll_id=poll_id).delete()
        Ballot.objects.bulk_create(ballots)


class Migration(migrations.Migration):
    dependencies = [
        ("votes", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="Envelope",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("sealed", models.BinaryField()),
                (
                    "poll",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="envelopes",
                        to="votes.poll",
                    ),
                ),
            ],
            options={
                "verbose_name": "密封选票",
            },
        ),
        migrations.RunPython(shuffle_stored_ballots, migrations.RunPython.noop),
    ]
