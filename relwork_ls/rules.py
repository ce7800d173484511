"""The rule registry: every finding code with its name, default severity, fix safety, summary,
explanation and an example. The README's table, SARIF rules, the language server's
``codeDescription`` links and ``relwork-ls rule CODE`` are all generated from it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

# Where each rule is documented (docs/rules.md, generated from this registry).
RULES_URL = "https://github.com/relwork/relwork-ls/blob/main/docs/rules.md"


class Code(str, Enum):
    """Finding codes. RW0xx: citations and inputs; RW1xx: drafts and history; RW2xx: style;
    RW3xx: bibliographies."""

    RW001 = "RW001"
    RW002 = "RW002"
    RW003 = "RW003"
    RW004 = "RW004"
    RW005 = "RW005"
    RW006 = "RW006"
    RW007 = "RW007"
    RW008 = "RW008"
    RW009 = "RW009"
    RW010 = "RW010"
    RW011 = "RW011"
    RW012 = "RW012"
    RW013 = "RW013"
    RW014 = "RW014"
    RW015 = "RW015"
    RW016 = "RW016"
    RW017 = "RW017"
    RW020 = "RW020"
    RW101 = "RW101"
    RW102 = "RW102"
    RW201 = "RW201"
    RW202 = "RW202"
    RW203 = "RW203"
    RW301 = "RW301"
    RW302 = "RW302"
    RW303 = "RW303"
    RW304 = "RW304"
    RW305 = "RW305"
    RW306 = "RW306"
    RW307 = "RW307"
    RW310 = "RW310"
    RW311 = "RW311"
    RW312 = "RW312"


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"
    HINT = "hint"


class FixSafety(str, Enum):
    """Whether findings of a rule come with a fix, and whether ``lint --fix`` applies it."""

    SAFE = "safe"  # applied by --fix
    UNSAFE = "unsafe"  # applied with --unsafe-fixes only (a guess, or another work)
    SOME = "safe or unsafe"  # depends on the finding (see the explanation)
    NONE = "none"


@dataclass(frozen=True)
class Rule:
    code: Code
    name: str
    severity: Severity
    fix: FixSafety
    summary: str
    explanation: str
    example: str

    @property
    def url(self) -> str:
        return f"{RULES_URL}#{self.code.value.lower()}"


def _rule(
    code: str,
    name: str,
    severity: str,
    fix: FixSafety,
    summary: str,
    explanation: str,
    example: str,
) -> Rule:
    return Rule(Code(code), name, Severity(severity), fix, summary, explanation, example)


_RULES = (
    _rule(
        "RW001",
        "unresolved-citation",
        "error",
        FixSafety.UNSAFE,
        'unresolved: no entry with these authors and year ("did you mean" the nearest)',
        "No bibliography entry has these author names and this year, whatever the suffix. "
        "The message lists the nearest entries by name. A surname one letter away from an "
        "entry's is offered as a fix, but an unsafe one: it may be another author whose work "
        "is missing from the bibliography.",
        "(Chern et al., 2023) with only Chen et al. 2023 → RW001, did you mean Chen et al., 2023?",
    ),
    _rule(
        "RW002",
        "needs-suffix",
        "error",
        FixSafety.SOME,
        "needs a suffix: written without a letter where the document cites several works of "
        "these authors and year",
        "Suffixes are lettered among the works a document cites. A label without a letter "
        "is right only when the document cites one work of its authors and year; here "
        "something says it cites several: a letter written elsewhere for the same authors "
        "and year, several of them cited by key, or the document's .aux/.bbl. When the "
        "document cites one such work that still carries a letter (as its .bbl prints it), "
        "the fix writes it (safe: the same work).",
        "(Chen et al., 2023) and (Chen et al., 2023b) in one document → RW002 on the first",
    ),
    _rule(
        "RW003",
        "unknown-suffix",
        "error",
        FixSafety.SOME,
        'unknown or superfluous suffix ("2021a" when only one such work exists or is cited)',
        "The year suffix can mean no work: there is only one work by these authors that "
        "year, or the document cites only one (the fix removes the suffix: safe, the same "
        'work), or no cited set can give that letter ("2023c" with two such works).',
        "(Chen et al., 2021a) with a single Chen et al. 2021 entry → fix: (Chen et al., 2021)",
    ),
    _rule(
        "RW004",
        "author-form",
        "warning",
        FixSafety.UNSAFE,
        'author form wrong for the entry ("et al." on a two-author work, wrong second author)',
        "The first author and year identify one group of works, but the rest of the author "
        "text is not how the style writes it. The fix writes the label's author part; it is "
        "unsafe because the text may mean another work missing from the bibliography.",
        "(Liu et al., 2021) for a work by Liu and Wan → fix: (Liu and Wan, 2021)",
    ),
    _rule(
        "RW005",
        "spelling-variant",
        "warning",
        FixSafety.SAFE,
        'spelling variant: the same names after accent, case or punctuation folding ("Roziere")',
        "The names match an entry once accents, case and punctuation are ignored; the fix "
        "spells them as the bibliography does. (A surname one letter away is RW001.)",
        "(Roziere et al., 2023) → fix: (Rozière et al., 2023)",
    ),
    _rule(
        "RW006",
        "year-mismatch",
        "error",
        FixSafety.UNSAFE,
        "year off: the only work by these authors has another year",
        "The authors have exactly one work in the bibliography, from another year. The fix "
        "changes the year; it is unsafe because the citation may mean a missing entry.",
        "(Touvron et al., 2022) when the only Touvron et al. work is from 2023 → RW006",
    ),
    _rule(
        "RW007",
        "undefined-key",
        "error",
        FixSafety.SOME,
        "LaTeX/Pandoc key not in any bibliography (close keys suggested)",
        "A \\cite key or Pandoc @key is in no bibliography. When a key differs only in case, "
        "Pandoc would still not find it: the fix writes the bibliography's case (safe). "
        "Otherwise the closest key is offered as an unsafe fix.",
        "\\citep{chen2021codx} → did you mean 'chen2021codex'?",
    ),
    _rule(
        "RW008",
        "key-case-mismatch",
        "warning",
        FixSafety.SAFE,
        "key differs in case from the bibliography's (BibTeX accepts it, Pandoc does not)",
        "BibTeX matches keys ignoring case, so the document builds, but the key is written "
        "differently from the bibliography; the fix uses the bibliography's spelling.",
        "\\cite{Chen2021Codex} for the key chen2021codex → fix: \\cite{chen2021codex}",
    ),
    _rule(
        "RW009",
        "scan-timeout",
        "error",
        FixSafety.NONE,
        "a document too pathological to scan within the regex time limit (skipped)",
        "Scanning the document for citations exceeded the time limit that guards against "
        "pathological input; the document was skipped rather than hang the linter.",
        "a .tex file with 50,000 unclosed \\begin{verbatim} → RW009",
    ),
    _rule(
        "RW010",
        "unreadable-draft",
        "warning",
        FixSafety.NONE,
        "a draft that is not valid UTF-8 (bytes replaced before scanning), or binary "
        "(skipped, info)",
        "Drafts are read as UTF-8. Undecodable bytes are replaced before scanning (and the "
        "file is never rewritten by --fix); a file with NUL bytes is taken as binary and "
        "skipped.",
        "a Latin-1 encoded draft.txt → RW010",
    ),
    _rule(
        "RW011",
        "skipped-file",
        "warning",
        FixSafety.NONE,
        "a draft or bibliography that was skipped (under a linted folder, or named by a draft "
        "or the config): a symbolic link that loops, dangles or leads out of the folder, a "
        "FIFO/socket/device, an unreadable file, or a file over max_file_size_mb (default 50)",
        "Walking a folder never follows links out of it or into loops and never opens "
        "special files; each file passed over is reported so nothing is skipped silently.",
        "refs.bib → /etc/passwd (a link out of the folder) → RW011",
    ),
    _rule(
        "RW012",
        "path-outside-workspace",
        "warning",
        FixSafety.NONE,
        "a path named by configuration or a draft that lies outside the workspace folder "
        "and was not read (language server; see *Trust*)",
        "A workspace's own files cannot make the language server read files outside the "
        "folder; allow it with the user setting allow_outside_paths.",
        'bibliographies = ["../private.bib"] in the workspace\'s relwork.toml → RW012',
    ),
    _rule(
        "RW013",
        "history-unavailable",
        "error",
        FixSafety.NONE,
        "the older bibliography for RW102 cannot be read (an unknown git revision, git "
        "unavailable or not allowed); RW102 is skipped",
        "Stale labels (RW102) need the bibliography as it was; when it cannot be read, this "
        "finding says why instead of silently checking nothing.",
        'since = "v9" where no tag v9 exists → RW013',
    ),
    _rule(
        "RW014",
        "internal-error",
        "error",
        FixSafety.NONE,
        "internal error while analysing this file (a bug in relwork-ls; the other files were "
        "checked, exit status 3)",
        "An unexpected error while reading or checking one file. The file gets this finding, "
        "the other files are still checked, the report is still written and lint exits 3. "
        "Please report it.",
        "a loader bug on one .bib → RW014 on that file, exit status 3",
    ),
    _rule(
        "RW015",
        "invisible-character",
        "warning",
        FixSafety.SAFE,
        "invisible character (soft hyphen, zero-width space or joiner) inside a citation",
        "Text pasted from a PDF often carries invisible characters inside names. Matching "
        "ignores them; the finding says which one, and the fix removes it.",
        "(Ro\u00adzière et al., 2023) → RW015, fix: (Rozière et al., 2023)",
    ),
    _rule(
        "RW016",
        "invalid-field-type",
        "warning",
        FixSafety.NONE,
        "a CSL-JSON field of the wrong type; the field is ignored, the rest of the item loads",
        'A CSL-JSON item field has a type the schema does not allow ("author": null, '
        '"issued": "2021"); it is ignored (or its year taken) and the item still loads.',
        '{"id": "x", "author": null} → RW016',
    ),
    _rule(
        "RW017",
        "unknown-code",
        "error",
        FixSafety.NONE,
        "unknown code in a relwork: ignore comment, with the closest known codes",
        "A suppression comment names a code that does not exist; it silences nothing and "
        "lint exits 2, so a typo cannot hide findings.",
        "% relwork: ignore RW10l → RW017, did you mean RW101?",
    ),
    _rule(
        "RW020",
        "uncertain-citation",
        "info",
        FixSafety.NONE,
        "uncertain: consistent, but the text cannot tell which of several works it means",
        "Suffixes are lettered among the works a document cites, so a label can be right "
        'for more than one work: "Wang et al., 2024" is right if the document cites one of '
        "two Wang et al. 2024 works, but which one? Not an error; the message names the "
        "candidates. Settle it by citing by key, keeping the .aux or .bbl beside the draft, "
        "or listing the key under cited in relwork.toml.",
        "(Xu et al., 2023) with two Xu et al. 2023 entries → RW020 (information)",
    ),
    _rule(
        "RW101",
        "draft-drift",
        "warning",
        FixSafety.SOME,
        "draft drift: the same sentence of another draft of the group cites another work, "
        'or writes the same work with another label ("2021a" vs "2021", "Roziere" vs '
        '"Rozière")',
        "Citations are aligned across the drafts of a group. Writing the same work "
        "differently gets a safe fix to the current label; citing a different work than a "
        "newer draft does gets an unsafe fix (the newer draft may be the wrong one).",
        "v1: (Chen et al., 2021b) where v2 writes (Chen et al., 2021a) for the same "
        "sentence → RW101",
    ),
    _rule(
        "RW102",
        "stale-label",
        "warning",
        FixSafety.SAFE,
        "stale label: written against the older bibliography; the work is now labelled "
        "otherwise, was merged into a duplicate, or was removed",
        "With --since/--bib-before (or `since`/`bibliographies_before`), each old entry is "
        "followed to the new bibliography; a citation whose label moved is relabelled by "
        "the fix (`relwork-ls relabel` applies them all).",
        "(Xu et al., 2023) written before xu2023baize was added → now Xu et al., 2023a",
    ),
    _rule(
        "RW201",
        "suffix-separator",
        "info",
        FixSafety.SAFE,
        'separator inside a suffix list differs from the document\'s usual one ("2022b;c" '
        'vs "2022b,c")',
        "Compressed suffix lists should use one separator throughout; the document's "
        "majority (or `suffix_separator`) is the convention.",
        "(Bai et al., 2022b;c) in a document that writes 2022b,c → RW201",
    ),
    _rule(
        "RW202",
        "repeated-author-group",
        "hint",
        FixSafety.UNSAFE,
        "the same author group twice in one parenthetical (merge offered)",
        "One parenthetical names the same authors twice; the unsafe fix merges the second "
        "into the first as a suffix list.",
        "(Xu et al., 2023b; Lee, 2020; Xu et al., 2023a) → RW202",
    ),
    _rule(
        "RW203",
        "narrative-glued-to-noun",
        "warning",
        FixSafety.SAFE,
        'narrative citation glued to a noun ("Codex Chen et al. (2021a)" → "Codex (Chen '
        'et al., 2021a)")',
        "A narrative citation right after a noun reads as if the noun were an author; the "
        "fix makes it parenthetical.",
        "Codex Chen et al. (2021a) → fix: Codex (Chen et al., 2021a)",
    ),
    _rule(
        "RW301",
        "duplicate-work",
        "warning",
        FixSafety.NONE,
        "one work under two keys (same DOI, arXiv id, or title and first author), saying "
        "when it creates spurious suffixes; for drafts named one by one, only duplicates "
        "they cite",
        "Two entries describe one work. Besides the duplicate itself, the pair can give the "
        "authors' other works year suffixes they should not have; the message says so.",
        "chen2021codex and chen2021humaneval with the same arXiv id → RW301",
    ),
    _rule(
        "RW302",
        "unused-entry",
        "hint",
        FixSafety.NONE,
        "entry no document cites (off unless unused_entries = true; on for a draft's own "
        "reference list); never on a bibliography outside the linted folders",
        "An entry that no document cites, certainly or possibly. Shared libraries hold many "
        "works a paper does not cite, so the check is opt-in, and a bibliography outside the "
        "linted folders is never reported. In a draft's own reference list every reference "
        "should be cited, so there it is on.",
        "a reference list entry that the text never refers to → RW302",
    ),
    _rule(
        "RW303",
        "bibliography-syntax-error",
        "error",
        FixSafety.NONE,
        "bibliography syntax error (the broken entry is skipped, the rest loads)",
        "An entry that cannot be parsed is skipped; the rest of the file still loads.",
        "@article{x, title={unclosed → RW303",
    ),
    _rule(
        "RW304",
        "duplicate-key",
        "warning",
        FixSafety.NONE,
        "duplicate key in a bibliography (BibTeX keeps the first)",
        "Two entries share a key; BibTeX uses the first and warns, so the second is "
        "invisible to citations.",
        "two @article{chen2021, …} entries → RW304",
    ),
    _rule(
        "RW305",
        "duplicate-field",
        "warning",
        FixSafety.NONE,
        "repeated field in an entry (BibTeX keeps the first value)",
        "An entry sets a field twice; BibTeX uses the first value, and so does relwork-ls.",
        "@article{x, year={2014}, year={1986}} → RW305, the year is 2014",
    ),
    _rule(
        "RW306",
        "oversized-bibliography-value",
        "warning",
        FixSafety.NONE,
        "a bibliography value too large or nested too deep to expand or decode (capped)",
        "@string expansion that would grow past 100,000 characters is cut there, and text "
        "nested deeper than the LaTeX decoder allows is decoded plainly; either is reported.",
        "@string chains doubling 27 times → RW306",
    ),
    _rule(
        "RW307",
        "conflicting-definitions",
        "warning",
        FixSafety.NONE,
        "bibliographies used together disagree: a key defined differently, or .bbl files "
        "that label a work differently",
        "Two versions of one bibliography are in use for the same draft (for instance both "
        "found in the linted folder). BibTeX keeps the first definition of a key; two .bbl "
        "files describe two documents, so neither is trusted for labels. Name the "
        "bibliography each draft uses.",
        "refs_v1.bib and refs_v2.bib with their .bbl files in one folder → RW307",
    ),
    _rule(
        "RW310",
        "reference-list-suffixes",
        "warning",
        FixSafety.NONE,
        "reference list: references the text cannot tell apart (same label and suffix)",
        "Two references of a draft's own reference list print the same authors, year and "
        "suffix, so citations cannot tell them apart; the list needs distinct suffixes.",
        "two references both labelled Holmgren et al., 2018a → RW310",
    ),
    _rule(
        "RW311",
        "unreadable-reference",
        "warning",
        FixSafety.NONE,
        "reference list: a reference whose authors or year cannot be read",
        "A reference of the draft's own list could not be parsed into authors and a year, "
        "so no citation can resolve to it.",
        "a reference line without a year → RW311",
    ),
    _rule(
        "RW312",
        "reference-list-mismatch",
        "warning",
        FixSafety.NONE,
        "--bib-from-text: a reference the bibliography beside the draft lacks, or labels otherwise",
        "With --bib-from-text the draft's reference list and the bibliography are compared: "
        "each reference missing from the bibliography, or labelled differently there, is "
        "reported.",
        "a reference list with 2018a where the .bib labels the work 2018 → RW312",
    ),
)
RULES: dict[str, Rule] = {rule.code.value: rule for rule in _RULES}


def rule(code: str) -> Rule:
    """The rule of a code ("RW003" or "rw003"); KeyError for an unknown code."""
    return RULES[code.upper()]


def markdown_table() -> str:
    """The README's table of findings."""
    rows = ["| code | severity | fix | meaning |", "|---|---|---|---|"]
    for item in _RULES:
        rows.append(
            f"| {item.code.value} | {item.severity.value} | {item.fix.value} | {item.summary} |"
        )
    return "\n".join(rows) + "\n"


def rules_document() -> str:
    """docs/rules.md: every rule with its explanation and example."""
    parts = [
        "# relwork-ls rules\n",
        "Generated from `relwork_ls/rules.py` (`relwork-ls rule --all`); do not edit by hand.\n",
    ]
    for item in _RULES:
        parts.append(describe(item, heading="## "))
    return "\n".join(parts)


def describe(item: Rule, heading: str = "") -> str:
    """A rule in full, as ``relwork-ls rule`` prints it (Markdown)."""
    return (
        f"{heading}{item.code.value}\n\n"
        f"**{item.name}** — default severity: {item.severity.value}; fix: {item.fix.value}\n\n"
        f"{item.summary[0].upper()}{item.summary[1:]}.\n\n"
        f"{item.explanation}\n\n"
        f"Example: {item.example}\n"
    )
