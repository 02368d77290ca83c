"""Development, test and benchmark tooling: fake Graph API and LLM servers, demo data, ``run_local``, bench commands
and data generators. Domain code never imports it (the import contract in ``pyproject.toml`` says so)."""
