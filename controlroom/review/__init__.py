"""Review, folded from the journal: the log, debriefs, exports, replays. Design: docs/review.md."""
