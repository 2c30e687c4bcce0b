"""Files teams send with their replies: checked by content, kept by id.

Design: docs/security.md.
"""
