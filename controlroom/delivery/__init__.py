"""Realtime delivery: who sees what, rendered once, sent to every socket. Design: docs/delivery.md.

``audience`` decides, ``views`` are what it decides on, ``render`` and ``frames`` turn views
into wire frames, ``history`` keeps them for resume, ``connection`` runs one socket and
``hub`` ties an exercise's events to its sockets. The wire format is in docs/protocol.md.
"""
