"""The webhook endpoints of the project: create (the one answer that shows the signing secret), list,
retrieve and delete, at /v1/webhook_endpoints as openai 3.57.0's `client.webhooks` calls them.
Deliveries themselves are sent by delivery.py when events.py is told something happened."""

from __future__ import annotations

import base64
import time
import urllib.parse

from .. import errors, ids, parameters
from ..calls import Call
from ..http import Response
from ..json_bodies import json_response
from . import shapes
from .store import Endpoint
from .validation import validate_endpoint_request


def create_endpoint(call: Call) -> Response:
    request = validate_endpoint_request(call.json())
    webhooks = call.webhooks
    number = webhooks.next_number()
    endpoint_id = ids.make_hex_id("we_", 32, call.settings.seed, "endpoint", number)
    # Reproducible like every id of the mock (a fresh server repeats it): a secret for a lesson, not a real one.
    secret = "whsec_" + base64.b64encode(bytes.fromhex(ids.make_hex_id("", 64, call.settings.seed, "secret",
                                                                       number))).decode()
    shown = shapes.endpoint(endpoint_id, request.name, request.url, request.event_types, int(time.time()), secret)
    if not webhooks.endpoints.add(endpoint_id, Endpoint(shown, secret)):
        raise errors.invalid_request(
            f"The mock keeps at most {webhooks.endpoints.max_endpoints} webhook endpoints: delete one first.")
    return json_response(200, shapes.endpoint_with_secret(shown, secret))


def list_endpoints(call: Call) -> Response:
    """Newest first, `limit` (20 unless told, 1 to 100) after the endpoint `after` names."""
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(call.request.path).query)
    listed = [endpoint.shown for _, endpoint in call.webhooks.endpoints.newest_first()]
    limit = parameters.page_size(query)
    after = query.get("after", [None])[0]
    if after is not None:
        position = next((n for n, shown in enumerate(listed) if shown["id"] == after), None)
        if position is None:
            raise errors.invalid_request(f"Invalid 'after': no webhook endpoint with id '{after[:64]}'.",
                                         param="after")
        listed = listed[position + 1:]
    return json_response(200, shapes.endpoint_list(listed[:limit], len(listed) > limit))


def retrieve_endpoint(call: Call) -> Response:
    return json_response(200, _endpoint(call).shown)


def delete_endpoint(call: Call) -> Response:
    endpoint_id = call.params["webhook_endpoint_id"]
    if not call.webhooks.endpoints.delete(endpoint_id):
        raise _not_found(endpoint_id)
    return json_response(200, shapes.deleted(endpoint_id))


def _endpoint(call: Call) -> Endpoint:
    endpoint_id = call.params["webhook_endpoint_id"]
    endpoint = call.webhooks.endpoints.get(endpoint_id)
    if endpoint is None:
        raise _not_found(endpoint_id)
    return endpoint


def _not_found(endpoint_id: str) -> errors.ApiError:
    """The mock's words, shaped like the other "not found" errors of the API."""
    return errors.ApiError(404, f"Webhook endpoint with id '{endpoint_id[:64]}' not found.")
