"""Salons: the tenant, its members and API keys, customers, and the tenancy mechanism."""
