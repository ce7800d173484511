"""Citations in drafts: scanners for rendered author-year text and keyed citations, document
kinds and outlines, and resolution of each cited work to an entry."""
