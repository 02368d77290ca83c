"""Webhooks: the inbound WhatsApp webhook, its durable event log and its processing."""
