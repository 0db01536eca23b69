"""The Batch API: a JSONL file of requests run on the mock's clock, results written as output and error files."""
