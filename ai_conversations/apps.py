from django.apps import AppConfig


class AiConversationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "ai_conversations"

    def ready(self) -> None:
        # Registers the coalesced reply publisher (config.coalesce) before the webhook relay opens its first batch.
        from ai_conversations import enqueue  # noqa: F401
