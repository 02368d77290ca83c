"""The back office of messaging: the customer page's conversation panel, the inbox and the template editor."""
