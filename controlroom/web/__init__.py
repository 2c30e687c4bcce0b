"""The web layer: routes, sessions, CSRF, templates. Design: docs/web.md."""
