"""Templates Meta knows in the fake Graph API tests: one positional, one named (both approved)."""

TEMPLATES = [
    {
        "name": "booking_confirmation",
        "language": "en",
        "status": "APPROVED",
        "category": "UTILITY",
        "parameter_format": "POSITIONAL",
        "components": [{"type": "BODY", "text": "Hi {{1}}, see you on {{2}}."}],
    },
    {
        "name": "reminder_named",
        "language": "en",
        "status": "APPROVED",
        "category": "UTILITY",
        "parameter_format": "NAMED",
        "components": [{"type": "BODY", "text": "Hi {{name}}, tomorrow at {{time}}."}],
    },
]
