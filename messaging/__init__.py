"""Messaging: WhatsApp conversations, messages, templates, the Cloud API client and outbound sending."""
