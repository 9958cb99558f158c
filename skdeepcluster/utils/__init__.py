"""Internal helpers shared by the estimators (not public API)."""
