"""Shared helpers: the real corpus lives in ../shared beside the checkout (may be absent)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


@pytest.fixture
def corpus() -> Path:
    """The shared real corpus; tests using it skip when it is not there."""
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not available")
    return CORPUS


# Hypothesis: the same examples on every run by default (CI and the README's test command
# must not turn red by luck); HYPOTHESIS_PROFILE=random explores new ones, like a nightly.
settings.register_profile("derandomized", derandomize=True, print_blob=True)
settings.register_profile("random", derandomize=False, print_blob=True, max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "derandomized"))
