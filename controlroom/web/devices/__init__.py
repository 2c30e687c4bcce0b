"""The devices people hold in the exercise: joining by QR code, team dashboards, actor tablets.

Design: docs/devices.md. ``join`` binds a device, ``sheet`` prints the QR codes, ``admin`` is
the director's device list, ``device`` sends a device to its page, ``team`` and ``actor``
are those pages. ``access`` checks that a device may still see its exercise.
"""
