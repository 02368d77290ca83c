"""Sandbox conversations (the admin's "Try your assistant"): a flag on the conversation, and the message status
"sandbox" for their outbound messages, which the sender never sends to Meta.

Safe on a live database: the column has a constant default (no table rewrite on PostgreSQL 11+); the status check is
swapped in one statement as NOT VALID (a brief lock, no scan), then validated without blocking reads or writes
(SHARE UPDATE EXCLUSIVE), outside the migration's transaction. Reversible: sandbox messages become "failed".
"""

from django.db import migrations, models

OLD = ["received", "queued", "sending", "sent", "delivered", "read", "failed"]
NEW = [*OLD, "sandbox"]


def swap_check(statuses: list[str]) -> str:
    values = ", ".join(f"'{status}'" for status in statuses)
    return (
        "ALTER TABLE messaging_message DROP CONSTRAINT message_status_valid, "
        f"ADD CONSTRAINT message_status_valid CHECK (status IN ({values})) NOT VALID"
    )


VALIDATE = "ALTER TABLE messaging_message VALIDATE CONSTRAINT message_status_valid"
SANDBOX_TO_FAILED = (
    "UPDATE messaging_message SET status = 'failed', error_title = 'Not sent (sandbox)', updated_at = now() "
    "WHERE status = 'sandbox'"
)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("messaging", "0004_autovacuum_high_churn_tables"),
    ]

    operations = [
        migrations.AddField(
            model_name="conversation",
            name="sandbox",
            field=models.BooleanField(
                db_default=False,
                default=False,
                help_text='A staff member\'s "Try your assistant" chat: its messages are never sent to WhatsApp.',
            ),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveConstraint(model_name="message", name="message_status_valid"),
                migrations.AlterField(
                    model_name="message",
                    name="status",
                    field=models.CharField(
                        choices=[
                            ("received", "Received"),
                            ("queued", "Queued"),
                            ("sending", "Sending"),
                            ("sent", "Sent"),
                            ("delivered", "Delivered"),
                            ("read", "Read"),
                            ("failed", "Failed"),
                            ("sandbox", "Not sent (sandbox)"),
                        ],
                        max_length=16,
                    ),
                ),
                migrations.AddConstraint(
                    model_name="message",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("status__in", NEW)), name="message_status_valid"
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(swap_check(NEW), reverse_sql=VALIDATE),
                migrations.RunSQL(migrations.RunSQL.noop, reverse_sql=swap_check(OLD)),
                migrations.RunSQL(VALIDATE, reverse_sql=SANDBOX_TO_FAILED),
            ],
        ),
    ]
