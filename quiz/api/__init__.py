"""The JSON API (v1): personal access tokens, problem responses and the endpoints."""
