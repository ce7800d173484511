"""Draft groups (versions of one text) and the alignment of their citations by sentence."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import regex

from ..bibliography.latex_text import fold
from ..citations.rendered import REGEX_TIMEOUT
from ..citations.resolution import WorkResolution

_SENTENCE_END = regex.compile(r"[.!?](?=\s+[^\s])|\n\s*\n|\n#+ ")
_WORD = regex.compile(r"[\p{L}\p{N}]{2,}")
_MASK = "\x00"
_NOT_NEWLINE = regex.compile(r"[^\n]")
SENTENCE_MATCH_THRESHOLD = 0.5
DRAFT_SIMILARITY_THRESHOLD = 0.5


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    words: tuple[str, ...]


@dataclass(frozen=True)
class AlignedWork:
    """A cited work of one draft and the work cited at the same place in another draft."""

    here: WorkResolution
    there: WorkResolution
    there_path: str


def _masked(text: str, works: Sequence[WorkResolution]) -> str:
    """The text with every citation blanked, so "et al." and years do not end sentences."""
    parts: list[str] = []
    cursor = 0
    for citation in sorted(
        {id(w.citation): w.citation for w in works}.values(), key=lambda c: c.start
    ):
        if citation.start < cursor:
            continue
        parts.append(text[cursor : citation.start])
        parts.append(_NOT_NEWLINE.sub(_MASK, text[citation.start : citation.end]))
        cursor = citation.end
    parts.append(text[cursor:])
    return "".join(parts)


def sentences(text: str, works: Sequence[WorkResolution]) -> list[Sentence]:
    """Sentences of a draft with their words (citations excluded), in order."""
    masked = _masked(text, works)
    found: list[Sentence] = []
    start = 0
    for match in _SENTENCE_END.finditer(masked, timeout=REGEX_TIMEOUT):
        end = match.end()
        found.append(Sentence(start, end, tuple(_WORD.findall(masked[start:end].casefold()))))
        start = end
    words = tuple(_WORD.findall(masked[start:].casefold()))
    found.append(Sentence(start, len(text), words))
    return found


def _similarity(a: Sequence[str] | frozenset[str], b: Sequence[str] | frozenset[str]) -> float:
    """Jaccard similarity of two word sets."""
    set_a, set_b = frozenset(a), frozenset(b)
    if not set_a or not set_b:
        return 0.0
    shared = len(set_a & set_b)
    return shared / (len(set_a) + len(set_b) - shared)


def _work_author(work: WorkResolution) -> str:
    """Folded first-author surname of a cited work, the key for pairing within a sentence."""
    if work.names is not None:
        text = work.names.text
    elif work.entry is not None and (work.entry.authors or work.entry.editors):
        text = (work.entry.authors or work.entry.editors)[0].display_surname()
    else:
        text = work.work.key
    return fold(re.split(r" et al| and | & ", text)[0]).strip()


def _context(text: str, sentence: Sentence, work: WorkResolution) -> list[str]:
    before = text[sentence.start : work.citation.start]
    return [w.casefold() for w in _WORD.findall(before)][-6:]


class DraftSentences:
    """A draft cut into sentences, with the sentences that cite indexed for matching."""

    def __init__(self, text: str, works: Sequence[WorkResolution]) -> None:
        self.text = text
        self.sentences = sentences(text, works)
        self.grouped = _works_by_sentence(self.sentences, works)
        self.word_sets = {i: frozenset(self.sentences[i].words) for i in self.grouped}
        self._authors: dict[int, str] = {}
        self._contexts: dict[int, frozenset[str]] = {}
        self.by_words: dict[tuple[str, ...], list[int]] = defaultdict(list)
        self.by_word: dict[str, list[int]] = defaultdict(list)
        for i in self.grouped:
            self.by_words[self.sentences[i].words].append(i)
            for word in self.word_sets[i]:
                self.by_word[word].append(i)

    def author(self, work: WorkResolution) -> str:
        key = id(work)
        if key not in self._authors:
            self._authors[key] = _work_author(work)
        return self._authors[key]

    def context(self, sentence: Sentence, work: WorkResolution) -> frozenset[str]:
        """The last words before a citation within its sentence."""
        key = id(work)
        if key not in self._contexts:
            self._contexts[key] = frozenset(_context(self.text, sentence, work))
        return self._contexts[key]

    def best_match(self, sentence: Sentence, relative: float) -> int:
        """The cited sentence most like ``sentence`` (-1 if none is alike enough).

        An identical sentence wins; otherwise candidates share one of the sentence's rarest
        words. Ties go to the sentence at the nearest relative position in the draft.
        """
        count = max(1, len(self.sentences))

        def distance(index: int) -> float:
            return abs(index / count - relative)

        identical = self.by_words.get(sentence.words)
        if identical:
            return min(identical, key=distance)
        words = frozenset(sentence.words)
        rare = sorted(words, key=lambda w: len(self.by_word.get(w, ())))[:4]
        candidates = {i for w in rare for i in self.by_word.get(w, ())}
        best, best_key = -1, (SENTENCE_MATCH_THRESHOLD, 0.0)
        for index in candidates:
            score = _similarity(words, self.word_sets[index])
            key = (score, -distance(index))
            if score > SENTENCE_MATCH_THRESHOLD and key > best_key:
                best, best_key = index, key
        return best


def align_drafts(a: DraftSentences, b: DraftSentences, path_b: str) -> list[AlignedWork]:
    """Pair each work of draft A with the work cited at the same place in draft B."""
    pairs: list[AlignedWork] = []
    count = max(1, len(a.sentences))
    for index_a, group_a in a.grouped.items():
        sentence_a = a.sentences[index_a]
        best = b.best_match(sentence_a, index_a / count)
        if best < 0:
            continue
        pairs.extend(
            _pair_works(a, sentence_a, group_a, b, b.sentences[best], b.grouped[best], path_b)
        )
    return pairs


def _works_by_sentence(
    found: list[Sentence], works: Sequence[WorkResolution]
) -> dict[int, list[WorkResolution]]:
    grouped: dict[int, list[WorkResolution]] = defaultdict(list)
    index = 0
    for work in sorted(works, key=lambda w: w.citation.start):
        while index + 1 < len(found) and found[index].end <= work.citation.start:
            index += 1
        grouped[index].append(work)
    return grouped


def _pair_works(
    a: DraftSentences,
    sentence_a: Sentence,
    group_a: list[WorkResolution],
    b: DraftSentences,
    sentence_b: Sentence,
    group_b: list[WorkResolution],
    path_b: str,
) -> list[AlignedWork]:
    """Within matched sentences: same first author, nearest wording before, then order."""
    used: set[int] = set()
    pairs: list[AlignedWork] = []
    for work_a in group_a:
        author = a.author(work_a)
        context_a = a.context(sentence_a, work_a)
        best, best_score = -1, -1.0
        for index, work_b in enumerate(group_b):
            if index in used or b.author(work_b) != author:
                continue
            score = _similarity(context_a, b.context(sentence_b, work_b))
            if score > best_score:
                best, best_score = index, score
        if best >= 0:
            used.add(best)
            pairs.append(AlignedWork(work_a, group_b[best], path_b))
    return pairs


SHINGLE_WORD_LIMIT = 30_000


def shingles(text: str, size: int = 5) -> set[int]:
    """Hashes of the 5-word windows of the text's first words (one in four, when long).

    Versions of one text share most of them; a sample of the beginning tells as well as
    the whole and keeps grouping cheap on long drafts.
    """
    words = _WORD.findall(text[: SHINGLE_WORD_LIMIT * 12].casefold())[:SHINGLE_WORD_LIMIT]
    windows = zip(*(words[i:] for i in range(size)), strict=False)
    if len(words) < 2000:
        return set(map(hash, windows))  # short drafts: every window counts
    return {h for h in map(hash, windows) if h & 3 == 0}


def detect_groups(
    texts: dict[str, str], shingles_of: Callable[[str, str], set[int]] | None = None
) -> list[list[str]]:
    """Drafts whose texts share enough 5-word shingles are versions of one text.

    ``shingles_of(path, text)`` may serve cached shingles.
    """
    paths = sorted(texts)
    shingled = {p: shingles_of(p, texts[p]) if shingles_of else shingles(texts[p]) for p in paths}
    parent = {p: p for p in paths}

    def root(p: str) -> str:
        while parent[p] != p:
            parent[p] = parent[parent[p]]
            p = parent[p]
        return p

    for i, a in enumerate(paths):
        for b in paths[i + 1 :]:
            sa, sb = shingled[a], shingled[b]
            if not sa or not sb:
                continue
            if len(sa & sb) / min(len(sa), len(sb)) >= DRAFT_SIMILARITY_THRESHOLD:
                parent[root(b)] = root(a)
    groups: dict[str, list[str]] = defaultdict(list)
    for p in paths:
        groups[root(p)].append(p)
    return [g for g in groups.values() if len(g) > 1]
