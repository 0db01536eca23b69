"""The JSON of webhooks, as the SDK's types have it (openai 3.57.0, types/webhooks/): an endpoint (with its
signing secret only when created), a page of endpoints, a deleted endpoint, and an event."""

from __future__ import annotations

from typing import Any


def endpoint(endpoint_id: str, name: str, url: str, event_types: list[str], created_at: int,
             secret: str) -> dict[str, Any]:
    """`WebhookEndpoint`: the secret itself is never shown again, only a hint (the hint's form is the mock's)."""
    return {"id": endpoint_id, "object": "webhook_endpoint", "created_at": created_at, "event_types": event_types,
            "name": name, "signing_secret_hint": secret_hint(secret), "url": url, "updated_at": created_at}


def endpoint_with_secret(stored: dict[str, Any], secret: str) -> dict[str, Any]:
    """`WebhookEndpointWithSecret`: what creating an endpoint answers, the one time the secret is shown."""
    return {**stored, "signing_secret": secret}


def secret_hint(secret: str) -> str:
    return secret[:6] + "..." + secret[-4:]


def endpoint_list(endpoints: list[dict[str, Any]], has_more: bool) -> dict[str, Any]:
    return {"object": "list", "data": endpoints, "first_id": endpoints[0]["id"] if endpoints else None,
            "last_id": endpoints[-1]["id"] if endpoints else None, "has_more": has_more}


def deleted(endpoint_id: str) -> dict[str, Any]:
    return {"id": endpoint_id, "object": "webhook_endpoint.deleted", "deleted": True}


def event(event_id: str, event_type: str, object_id: str, created_at: int) -> dict[str, Any]:
    """An event as `client.webhooks.unwrap()` reads it (e.g. `ResponseCompletedWebhookEvent`): only the id
    of what changed, so the receiver fetches the object itself."""
    return {"id": event_id, "object": "event", "created_at": created_at, "type": event_type,
            "data": {"id": object_id}}
