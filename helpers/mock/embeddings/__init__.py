"""POST /v1/embeddings: deterministic vectors from the words of the text, in floats or base64."""
