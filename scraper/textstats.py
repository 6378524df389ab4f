"""Text measures that know scripts written without spaces between words.

A word is a run of word characters, except in scripts that do not put spaces between words
(Chinese, Japanese kana, Thai, Lao, Khmer, Myanmar): there each letter counts as one word,
so that a Japanese article is not "one word". Korean puts spaces between words and is
counted like Latin script. Combining marks (Thai vowel signs) are not letters of their own.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["UNSPACED_SCRIPTS", "word_count"]

# Unicode blocks of the scripts written without spaces between words.
UNSPACED_SCRIPTS = (
    "\u0e00-\u0e7f"  # Thai
    "\u0e80-\u0eff"  # Lao
    "\u1000-\u109f"  # Myanmar
    "\u1780-\u17ff"  # Khmer
    "\u3040-\u30ff"  # Hiragana, Katakana
    "\u31f0-\u31ff"  # Katakana extensions
    "\u3400-\u4dbf"  # CJK extension A
    "\u4e00-\u9fff"  # CJK unified ideographs
    "\uf900-\ufaff"  # CJK compatibility ideographs
    "\uff66-\uff9f"  # half-width Katakana
    "\U00020000-\U0003134f"  # CJK extensions B-G
)
_SPACED_WORD = re.compile(rf"(?:(?![{UNSPACED_SCRIPTS}])\w)+")
_UNSPACED_CHAR = re.compile(rf"[{UNSPACED_SCRIPTS}]")


def word_count(text: str) -> int:
    """Words in ``text``: runs of word characters, and each letter of an unspaced script."""
    spaced = len(_SPACED_WORD.findall(text))
    unspaced = sum(
        1 for c in _UNSPACED_CHAR.findall(text) if not unicodedata.category(c).startswith("M")
    )
    return spaced + unspaced
