from django.db import migrations

GENESIS_HASH = "0" * 64


def create_head(apps, schema_editor):
    head = apps.get_model("audit", "AuditChainHead")
    head.objects.get_or_create(pk=1, defaults={"last_seq": 0, "last_hash": GENESIS_HASH})


class Migration(migrations.Migration):
    """The chain head exists from the start, so the first audited request costs no more
    queries than any other."""

    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(create_head, migrations.RunPython.noop)]
