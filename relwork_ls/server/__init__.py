"""The language server (pygls 2): handlers, the workspace index, and conversions between
core data and lsprotocol types."""
