"""转入 events now carry the member's 入党日期 and 转正日期 (from the transfer letter), so that
these fields are replayed from the events; fill them in from the stored member."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def backfill(apps, schema_editor):
    Member = apps.get_model("members", "Member")
    MemberEvent = apps.get_model("members", "MemberEvent")
    member = Member.objects.filter(pk=OuterRef("member_id"))
    MemberEvent.objects.filter(kind="in", join_date__isnull=True).update(
        join_date=Subquery(member.values("join_date")[:1])
    )
    # Only a transfer in as a full member (blank: full) carries a 转正日期; a 预备党员's comes
    # with the 转正 event.
    transfers = MemberEvent.objects.filter(kind="in", full_date__isnull=True)
    transfers.exclude(category="prob").update(
        full_date=Subquery(member.values("full_date")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [("members", "0006_probation_extension_cancel_transfer_dates")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
