"""Customer-written text is data: strip control and invisible characters, cap its length."""

from __future__ import annotations

import re
import unicodedata

MAX_TEXT = 2000
MAX_PREVIEW = 200
MAX_NAME = 120

# Format characters (Cf) hide text or flip its direction (zero-width, bidi overrides, tags);
# control characters (Cc) other than newline and tab only confuse a reader.
_KEEP = {"\n", "\t"}
_NEWLINES = re.compile(r"\n{3,}")


def _visible(char: str) -> bool:
    if char in _KEEP:
        return True
    category = unicodedata.category(char)
    # ZWJ joins emoji sequences (👩‍💻); keep it, it cannot hide text on its own.
    if char == "\u200d":
        return True
    return category not in {"Cc", "Cf", "Co", "Cs", "Zl", "Zp"}


def clean(text: str | None, limit: int = MAX_TEXT) -> tuple[str, bool]:
    """Return the text without invisible characters, cut to `limit`, and whether it was cut."""
    if not text:
        return "", False
    # Line and paragraph separators become plain newlines; everything else invisible goes.
    text = text.replace("\r\n", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    # Most text has nothing to strip, and str.isprintable says so at C speed: it is false for every category
    # removed here (and for a few kept ones, such as no-break spaces, which then take the careful path).
    if not text.replace("\n", "").replace("\t", "").isprintable():
        text = "".join(char for char in text if _visible(char))
    stripped = _NEWLINES.sub("\n\n", text) if "\n\n\n" in text else text
    if len(stripped) > limit:
        return stripped[:limit].rstrip() + "…", True
    return stripped, False


def clean_name(text: str | None) -> str | None:
    """A short single-line field (a contact name, an inbox name)."""
    if text is None:
        return None
    value, _ = clean(text.replace("\n", " ").replace("\t", " "), MAX_NAME)
    return value
