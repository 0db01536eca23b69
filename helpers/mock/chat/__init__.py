"""The Chat Completions API: `POST /v1/chat/completions` (api.py), its parameters (validation.py),
its JSON and streamed chunks (shapes.py)."""
