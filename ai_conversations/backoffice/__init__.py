"""The back office of the assistant: the inbox (handed-off conversations first, a chat thread, the reply box)."""
