"""A running exercise: runtime, the registry of exercises, the release clock, time sources.

Design: docs/clock.md and docs/exercise.md.
"""
