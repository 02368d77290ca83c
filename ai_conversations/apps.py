from django.apps import AppConfig


class AiConversationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "ai_conversations"
