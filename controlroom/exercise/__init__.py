"""The event-sourced core of a live exercise: events, the fold, commands. Design: docs/exercise.md.

Pure Python: nothing here imports Starlette, Redis or Jinja, and nothing does I/O.
"""
