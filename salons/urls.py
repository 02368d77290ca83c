"""API routes of the salons app: account routes (auth, me, my salons) and tenant routes."""

# Routes that are not under a salon: /api/v1/auth/..., /api/v1/me/, /api/v1/salons/ (the salons I belong to).
account_patterns: list = []

# Routes under /api/v1/salons/<uuid:salon_id>/ (mounted by config.api_urls).
salon_patterns: list = []
