"""Editor features over lint results, free of any protocol: immutable snapshots and results
for a live workspace, completion, hover text, outline, rename, code actions."""
