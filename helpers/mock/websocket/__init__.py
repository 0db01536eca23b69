"""The Responses API over a WebSocket (RFC 6455): the upgrade on `GET /v1/responses`, frames, and the
session that answers `response.create` events with the same typed events as the SSE stream."""
