"""Checks beyond one citation: drift between drafts, stale labels after a bibliography
change, style, duplicate and unused entries, suppression comments and relabelling edits."""
