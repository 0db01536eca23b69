"""The Files API: uploads by multipart/form-data, kept in a store bounded in count and bytes."""
