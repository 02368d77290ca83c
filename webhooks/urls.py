"""URLs of the inbound WhatsApp webhook (mounted at /webhooks/)."""

from django.urls import path

from webhooks import views

app_name = "webhooks"

urlpatterns = [
    path("whatsapp/", views.whatsapp_webhook, name="whatsapp"),
]
