"""Models of the ai_conversations app."""
