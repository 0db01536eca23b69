"""The Responses API: `POST /v1/responses` and the stored responses (api.py), its parameters (validation.py),
its JSON and stream events (shapes.py), the bounded store (store.py)."""
