"""Webhooks: endpoints registered with POST /v1/webhook_endpoints, and the signed deliveries the mock sends them."""
