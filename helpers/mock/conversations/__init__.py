"""The Conversations API: /v1/conversations and its items, shared with `conversation` on /v1/responses."""
