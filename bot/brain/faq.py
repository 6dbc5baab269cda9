"""The FAQ file (`BOT_FAQ_FILE`, default the shipped faq.md): parsing and accent-insensitive keyword matching."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from bot.brain.base import BrainError
from chatwoot_mcp.config import ConfigError

DEFAULT_FAQ_FILE = Path(__file__).with_name("faq.md")
_KEYWORDS_LINE = re.compile(r"^\s*(palavras[- ]chave|keywords)\s*:\s*(.*)$", re.IGNORECASE)


class BrainConfigError(BrainError, ConfigError):
    """A brain file (system prompt, FAQ) is missing or unusable; raised at start-up, a ConfigError like the rest."""


@dataclass(frozen=True)
class FaqEntry:
    question: str
    keywords: tuple[str, ...]  # normalised (see `normalize`)
    answer: str


def normalize(text: str) -> str:
    """Lower-case, accents removed, punctuation turned into single spaces: "Horário?" -> "horario"."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return " ".join(re.sub(r"[^\w]+", " ", bare).split())


def parse_faq(text: str) -> tuple[FaqEntry, ...]:
    """Each `## ` heading is a question; a `Palavras-chave:` line lists keywords; the rest is the answer."""
    entries: list[FaqEntry] = []
    question: str | None = None
    keywords: list[str] = []
    body: list[str] = []

    def flush() -> None:
        if question is None:
            return
        answer = "\n".join(body).strip()
        words = keywords or [w for w in normalize(question).split() if len(w) >= 4]
        if answer and words:
            entries.append(FaqEntry(question=question, keywords=tuple(dict.fromkeys(words)), answer=answer))

    for line in text.splitlines():
        if line.startswith("## "):
            flush()
            question, keywords, body = line[3:].strip(), [], []
            continue
        if question is None:
            continue
        found = _KEYWORDS_LINE.match(line)
        if found:
            keywords.extend(k for k in (normalize(part) for part in found.group(2).split(",")) if k)
        else:
            body.append(line)
    flush()
    return tuple(entries)


def load_faq(path: str | Path | None) -> tuple[FaqEntry, ...]:
    """Read and parse the FAQ file; the shipped default when `path` is None."""
    file = Path(path) if path else DEFAULT_FAQ_FILE
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BrainConfigError(f"BOT_FAQ_FILE {file} cannot be read: {exc.__class__.__name__}") from None
    return parse_faq(text)


def contains_phrase(normalized_text: str, phrase: str) -> bool:
    """Whole-word (or whole-phrase) match on normalised text; a trailing plural "s" also matches."""
    return re.search(rf"(?<!\w){re.escape(phrase)}s?(?!\w)", normalized_text) is not None


def best_answer(faq: tuple[FaqEntry, ...], text: str) -> FaqEntry | None:
    """The entry with the most keywords present in `text` (first one on a tie), or None."""
    normalized = normalize(text)
    best: FaqEntry | None = None
    best_score = 0
    for entry in faq:
        score = sum(1 for kw in entry.keywords if contains_phrase(normalized, kw))
        if score > best_score:
            best, best_score = entry, score
    return best
