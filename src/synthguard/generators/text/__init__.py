"""Text generators (``modality="text"``), registered in the one generator registry.

``surrogate_text`` replaces identifiers with consistent fake surrogates; ``dp_lm`` trains a
small character-level language model with DP-SGD and samples new documents.
"""

from __future__ import annotations

from synthguard.generators.text.corpus import read_corpus, texts_from, write_corpus

__all__ = ["read_corpus", "texts_from", "write_corpus"]
