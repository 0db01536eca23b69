"""Checks a `POST /v1/webhook_endpoints` request field by field (the SDK's `WebhookCreateParams`, openai 3.57.0),
and the mock's own rule: deliveries go to this machine only (a loopback address), so an offline mock never
calls out to the network."""

from __future__ import annotations

import ipaddress
import urllib.parse
from dataclasses import dataclass
from typing import Any

from .. import errors, parameters

PARAMETERS: dict[str, tuple[str, bool]] = {
    "event_types": ("array", False),
    "name": ("string", False),
    "url": ("string", False),
}
REQUIRED = ("event_types", "name", "url")

# The event types the SDK's `create` accepts (openai 3.57.0, resources/webhooks/webhooks.py); the mock
# sends only those marked in EMITTED, but registering any of them is allowed, as the real service allows it.
EVENT_TYPES = [
    "batch.completed", "batch.failed", "batch.expired", "batch.cancelled",
    "response.completed", "response.failed", "response.cancelled", "response.incomplete",
    "eval.run.succeeded", "eval.run.failed", "eval.run.canceled",
    "fine_tuning.job.succeeded", "fine_tuning.job.failed", "fine_tuning.job.cancelled",
    "realtime.call.incoming", "video.completed", "video.failed",
    "agent.environment.ready", "agent.environment.failed", "agent.environment.suspended",
    "agent.environment.expired", "agent.session.created", "agent.session.action_required",
    "agent.session.in_progress", "agent.session.idle", "agent.session.failed", "safety.alert.created",
]
EMITTED = ("response.completed", "response.cancelled", "response.incomplete")
LOOPBACK_NAMES = ("localhost",)
MAX_NAME = 256  # the mock's own limit, so a stored endpoint stays small
MAX_URL = 2048


@dataclass
class EndpointRequest:
    name: str
    url: str
    event_types: list[str]


def validate_endpoint_request(body: Any) -> EndpointRequest:
    body = parameters.checked_body(body, PARAMETERS, REQUIRED)
    event_types = body["event_types"]
    if not event_types:
        raise errors.invalid_request("The mock needs at least one event type in 'event_types'.",
                                     param="event_types")
    for index, event_type in enumerate(event_types):
        if not isinstance(event_type, str):
            raise errors.invalid_type(f"event_types[{index}]", "a string", event_type)
        if event_type not in EVENT_TYPES:
            raise errors.invalid_value(f"event_types[{index}]", event_type, EVENT_TYPES)
    if len(body["name"]) > MAX_NAME:
        raise errors.invalid_request(f"The mock keeps names of at most {MAX_NAME} characters.", param="name")
    check_loopback_url(body["url"])
    return EndpointRequest(body["name"], body["url"], list(dict.fromkeys(event_types)))


def check_loopback_url(url: str) -> None:
    """http:// or https:// to 127.0.0.1, ::1 or localhost, with a port: the only places an offline mock
    delivers to. (The real service wants a public HTTPS URL; a lesson's receiver listens on this machine.)"""
    refusal = errors.invalid_request(
        "The offline mock delivers webhooks only to this machine: use a URL such as "
        "'http://127.0.0.1:8001/webhook' (127.0.0.1, ::1 or localhost, with a port).", param="url")
    if len(url) > MAX_URL:
        raise refusal
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError:  # "http://[::1:9/" and other addresses urllib cannot read
        raise refusal from None
    if parts.scheme not in ("http", "https") or port is None or parts.hostname is None:
        raise refusal
    if parts.username is not None or parts.password is not None:
        raise refusal
    if parts.hostname in LOOPBACK_NAMES:
        return
    try:
        address = ipaddress.ip_address(parts.hostname)
    except ValueError:
        raise refusal from None
    if not address.is_loopback:
        raise refusal
