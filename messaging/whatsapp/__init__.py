"""The WhatsApp Cloud API client: payload builders with Meta's limits, the HTTP client and the error hierarchy."""

from messaging.whatsapp.client import WhatsAppClient
from messaging.whatsapp.errors import GraphAPIError, classify

__all__ = ["GraphAPIError", "WhatsAppClient", "classify"]
