"""The fault soak (``manage.py fault_soak``): load on the running stack, one fault per scenario, drain, count."""
