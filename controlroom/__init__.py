"""Control Room: the realtime control room for live simulation exercises.

See docs/overview.md for how the subsystems fit together.
"""

__version__ = "0.1.0"
