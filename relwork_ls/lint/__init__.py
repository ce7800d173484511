"""Headless lint: the workspace of drafts and bibliographies, the lint run, fixes and report
formats."""
