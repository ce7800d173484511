"""Draft groups (versions of one text) and the alignment of their citations by sentence."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import regex

from .latex_text import fold
from .rendered_citations import REGEX_TIMEOUT
from .resolution import WorkResolution

_SENTENCE_END = regex.compile(r"[.!?](?=\s+[^\s])|\n\s*\n|\n#+ ")
_WORD = regex.compile(r"[\p{L}\p{N}]{2,}")
_MASK = "\x00"
SENTENCE_MATCH_THRESHOLD = 0.5
DRAFT_SIMILARITY_THRESHOLD = 0.25


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
    chars = list(text)
    for work in works:
        for i in range(work.citation.start, min(work.citation.end, len(chars))):
            if chars[i] != "\n":
                chars[i] = _MASK
    return "".join(chars)


def sentences(text: str, works: Sequence[WorkResolution]) -> list[Sentence]:
    """Sentences of a draft with their words (citations excluded), in order."""
    masked = _masked(text, works)
    found: list[Sentence] = []
    start = 0
    for match in _SENTENCE_END.finditer(masked, timeout=REGEX_TIMEOUT):
        end = match.end()
        words = tuple(w.casefold() for w in _WORD.findall(masked[start:end]))
        found.append(Sentence(start, end, words))
        start = end
    words = tuple(w.casefold() for w in _WORD.findall(masked[start:]))
    found.append(Sentence(start, len(text), words))
    return found


def _similarity(a: Sequence[str], b: Sequence[str]) -> float:
    """Multiset Jaccard similarity of two word lists."""
    if not a or not b:
        return 0.0
    ca, cb = Counter(a), Counter(b)
    shared = sum((ca & cb).values())
    return shared / (len(a) + len(b) - shared)


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


def align_drafts(
    text_a: str,
    works_a: Sequence[WorkResolution],
    text_b: str,
    works_b: Sequence[WorkResolution],
    path_b: str,
) -> list[AlignedWork]:
    """Pair each work of draft A with the work cited at the same place in draft B."""
    sentences_a = sentences(text_a, works_a)
    sentences_b = sentences(text_b, works_b)
    by_word: dict[str, set[int]] = defaultdict(set)
    for index, sentence in enumerate(sentences_b):
        for word in sentence.words:
            by_word[word].add(index)
    grouped_a = _works_by_sentence(sentences_a, works_a)
    grouped_b = _works_by_sentence(sentences_b, works_b)
    pairs: list[AlignedWork] = []
    for index_a, group_a in grouped_a.items():
        sentence_a = sentences_a[index_a]
        candidates = {i for w in set(sentence_a.words) for i in by_word.get(w, ())}
        best, best_score = -1, SENTENCE_MATCH_THRESHOLD
        for index_b in sorted(candidates):
            if index_b not in grouped_b:
                continue
            score = _similarity(sentence_a.words, sentences_b[index_b].words)
            if score > best_score:
                best, best_score = index_b, score
        if best < 0:
            continue
        pairs.extend(
            _pair_works(
                text_a, sentence_a, group_a, text_b, sentences_b[best], grouped_b[best], path_b
            )
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
    text_a: str,
    sentence_a: Sentence,
    group_a: list[WorkResolution],
    text_b: str,
    sentence_b: Sentence,
    group_b: list[WorkResolution],
    path_b: str,
) -> list[AlignedWork]:
    """Within matched sentences: same first author, nearest wording before, then order."""
    used: set[int] = set()
    pairs: list[AlignedWork] = []
    for work_a in group_a:
        author = _work_author(work_a)
        context_a = _context(text_a, sentence_a, work_a)
        best, best_score = -1, -1.0
        for index, work_b in enumerate(group_b):
            if index in used or _work_author(work_b) != author:
                continue
            score = _similarity(context_a, _context(text_b, sentence_b, work_b))
            if score > best_score:
                best, best_score = index, score
        if best >= 0:
            used.add(best)
            pairs.append(AlignedWork(work_a, group_b[best], path_b))
    return pairs


def shingles(text: str, size: int = 5) -> set[tuple[str, ...]]:
    words = [w.casefold() for w in _WORD.findall(text)]
    return {tuple(words[i : i + size]) for i in range(max(0, len(words) - size + 1))}


def detect_groups(texts: dict[str, str]) -> list[list[str]]:
    """Drafts whose texts share enough 5-word shingles are versions of one text."""
    paths = sorted(texts)
    shingled = {p: shingles(texts[p]) for p in paths}
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
