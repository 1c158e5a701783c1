"""预备期满之日 stored on the member (工作台: probations ending soon, one indexed range), and
filled in for the 预备党员 already registered by replaying their events as the services do."""

from django.conf import settings
from django.db import migrations, models


def backfill(apps, schema_editor):
    from dangjian.core.exceptions import DomainError
    from dangjian.members.history import replay

    Member = apps.get_model("members", "Member")
    MemberEvent = apps.get_model("members", "MemberEvent")
    RuleValue = apps.get_model("core", "RuleValue")
    timelines = {}
    for key, start, value in RuleValue.objects.order_by("effective_from").values_list(
        "key", "effective_from", "value"
    ):
        timelines.setdefault(key, []).append((start, value))

    def rules(key, on):
        from dangjian.core.models import RuleMissing

        found = [value for start, value in timelines.get(key, []) if start <= on]
        if not found:
            raise RuleMissing(key)
        return found[-1]

    pending = Member.objects.filter(status="active", category="prob")
    for member in pending.only("pk").iterator(chunk_size=2000):
        events = list(MemberEvent.objects.filter(member_id=member.pk))
        try:
            due = replay(events, rules).probation_due
        except DomainError:  # a history the current rules refuse: left for the branch
            continue
        Member.objects.filter(pk=member.pk).update(probation_end=due)


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0007_transfer_in_events_carry_dates'),
        ('orgs', '0002_depth_path_index'),
        ("core", "0002_calendar_years"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='member',
            name='probation_end',
            field=models.DateField(blank=True, editable=False, null=True, verbose_name='预备期满之日'),
        ),
        migrations.AddIndex(
            model_name='member',
            index=models.Index(condition=models.Q(('probation_end__isnull', False)), fields=['org_path', 'probation_end'], name='member_probation_end_idx', opclasses=['varchar_pattern_ops', 'date_ops']),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
