"""Row-level security on the invitations table (salons.Invitation, a tenant-owned model added after 0001)."""

from django.db import migrations

from dbops.rls import disable_sql, enable_sql


class Migration(migrations.Migration):
    dependencies = [
        ("dbops", "0001_row_level_security"),
        ("salons", "0006_invitation_salon_index_hygiene"),
    ]

    operations = [migrations.RunSQL(enable_sql("salons_invitation"), disable_sql("salons_invitation"))]
