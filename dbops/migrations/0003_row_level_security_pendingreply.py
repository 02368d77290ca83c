"""Row-level security on the assistant's pending replies (ai_conversations.PendingReply, added after 0001)."""

from django.db import migrations

from dbops.rls import disable_sql, enable_sql


class Migration(migrations.Migration):
    dependencies = [
        ("dbops", "0002_row_level_security_invitation"),
        ("ai_conversations", "0007_pending_replies"),
    ]

    operations = [
        migrations.RunSQL(enable_sql("ai_conversations_pendingreply"), disable_sql("ai_conversations_pendingreply"))
    ]
