"""The JSON of the Batch API: a `Batch` (openai 3.57.0, types/batch.py) and the lines of its output and error
files (OpenAI's OpenAPI document, `BatchRequestOutput`: id, custom_id, response {status_code, request_id,
body}, error)."""

from __future__ import annotations

from typing import Any

DAY = 24 * 3600


def batch_object(batch_id: str, endpoint: str, input_file_id: str, created_at: int, status: str,
                 times: dict[str, int | None], counts: tuple[int, int, int], usage: dict[str, Any],
                 model: str | None, metadata: dict[str, Any] | None, errors: list[dict[str, Any]] | None,
                 output_file_id: str | None, error_file_id: str | None) -> dict[str, Any]:
    total, completed, failed = counts
    return {
        "id": batch_id, "object": "batch", "endpoint": endpoint, "model": model,
        "errors": {"object": "list", "data": errors} if errors else None,
        "input_file_id": input_file_id, "completion_window": "24h", "status": status,
        "output_file_id": output_file_id, "error_file_id": error_file_id,
        "created_at": created_at, "in_progress_at": times.get("in_progress_at"),
        "expires_at": created_at + DAY, "finalizing_at": times.get("finalizing_at"),
        "completed_at": times.get("completed_at"), "failed_at": times.get("failed_at"), "expired_at": None,
        "cancelling_at": times.get("cancelling_at"), "cancelled_at": times.get("cancelled_at"),
        "request_counts": {"total": total, "completed": completed, "failed": failed},
        "usage": usage, "metadata": metadata,
    }


def usage(input_tokens: int, output_tokens: int) -> dict[str, Any]:
    return {"input_tokens": input_tokens, "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": output_tokens, "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": input_tokens + output_tokens}


def output_line(line_id: str, custom_id: str, status: int, request_id: str, body: Any) -> dict[str, Any]:
    """One request's result: its HTTP status, request id and JSON body, in the output file when the status
    is 2xx, in the error file otherwise (the body is then the API's error)."""
    return {"id": line_id, "custom_id": custom_id,
            "response": {"status_code": status, "request_id": request_id, "body": body}, "error": None}


def batch_list(batches: list[dict[str, Any]], has_more: bool) -> dict[str, Any]:
    return {"object": "list", "data": batches, "first_id": batches[0]["id"] if batches else None,
            "last_id": batches[-1]["id"] if batches else None, "has_more": has_more}
