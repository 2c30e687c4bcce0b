"""Who a request or socket is and what it may see and do: accounts, sessions, identities,
join tokens, the secret. Design: docs/security.md.
"""
