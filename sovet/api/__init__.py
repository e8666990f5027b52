"""The HTTP API (API.md): token and session authentication, JSON errors, an OpenAPI schema."""
