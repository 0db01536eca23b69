"""The registered webhook endpoints, newest last; bounded in count (each is a few hundred bytes at most)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

MAX_ENDPOINTS = 20


@dataclass
class Endpoint:
    shown: dict[str, Any]  # as GET shows it (no secret)
    secret: str  # whsec_ and base64 of 32 bytes

    @property
    def url(self) -> str:
        return str(self.shown["url"])

    def wants(self, event_type: str) -> bool:
        return event_type in self.shown["event_types"]


class EndpointStore:
    def __init__(self, max_endpoints: int = MAX_ENDPOINTS) -> None:
        self.max_endpoints = max_endpoints
        self._endpoints: OrderedDict[str, Endpoint] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, endpoint_id: str, endpoint: Endpoint) -> bool:
        """False when the store is full (nothing is evicted: a registered endpoint is deleted by its owner)."""
        with self._lock:
            if len(self._endpoints) >= self.max_endpoints:
                return False
            self._endpoints[endpoint_id] = endpoint
            return True

    def get(self, endpoint_id: str) -> Endpoint | None:
        with self._lock:
            return self._endpoints.get(endpoint_id)

    def delete(self, endpoint_id: str) -> bool:
        with self._lock:
            return self._endpoints.pop(endpoint_id, None) is not None

    def newest_first(self) -> list[tuple[str, Endpoint]]:
        with self._lock:
            return list(reversed(self._endpoints.items()))

    def wanting(self, event_type: str) -> list[Endpoint]:
        with self._lock:
            return [endpoint for endpoint in self._endpoints.values() if endpoint.wants(event_type)]

    def __len__(self) -> int:
        with self._lock:
            return len(self._endpoints)
