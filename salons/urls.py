"""API routes of the salons app (auth, me, salons, members, API keys, customers)."""

urlpatterns: list = []
