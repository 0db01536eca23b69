"""The Models API: `GET /v1/models` and `GET /v1/models/{model}`, answered from the catalogue."""
