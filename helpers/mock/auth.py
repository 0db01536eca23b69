"""Who may call: the one check that decides every 401. A request must carry `Authorization: Bearer <key>`
with the server's key; the real service answers the same two errors, in the same words."""

from __future__ import annotations

from . import errors


def authenticate(headers: dict[str, str], api_key: str) -> None:
    """Return if the request carries the server's key; raise the real service's 401 otherwise."""
    scheme, _, key = headers.get("authorization", "").partition(" ")
    key = key.strip()
    if scheme.lower() != "bearer" or not key:
        raise errors.missing_api_key()
    if key != api_key:
        raise errors.invalid_api_key(key)  # the message shows the key masked, never whole
