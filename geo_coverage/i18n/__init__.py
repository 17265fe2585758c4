"""The one message catalogue (Bahasa Indonesia by default, English on request) and the number
and date formats of each language.

Shared by every layer; imports no layer. The texts live in messages.toml beside this module.
"""

from __future__ import annotations

import logging
import math
import tomllib
from dataclasses import dataclass
from importlib import resources

LOGGER = logging.getLogger(__name__)

LANGS = ("id", "en")
DEFAULT_LANG = "id"

CATALOGUE = "messages.toml"
API_LANG = "en"  # downloads and the OGC API answer errors in English, like their field names


@dataclass(frozen=True)
class Text:
    """One text in Bahasa Indonesia (the default) and in English."""

    id: str
    en: str

    def get(self, lang: str) -> str:
        """The text in lang (Indonesian unless lang is 'en')."""
        return self.en if lang == "en" else self.id


def _flatten(table: dict, prefix: str = "") -> dict[str, Text]:
    """Messages keyed by their dotted path: a table with id and en is one message."""
    out: dict[str, Text] = {}
    texts = {k: v for k, v in table.items() if not isinstance(v, dict)}
    if texts:
        missing = [lang for lang in LANGS if not isinstance(texts.get(lang), str)]
        extra = sorted(set(texts) - set(LANGS))
        if missing or extra:
            raise ValueError(
                f"{CATALOGUE}: message '{prefix}' needs exactly the texts {', '.join(LANGS)}"
                f" (missing: {', '.join(missing) or 'none'}; unknown: {', '.join(extra) or 'none'})"
            )
        out[prefix] = Text(*(texts[lang] for lang in LANGS))
    for name, value in table.items():
        if isinstance(value, dict):
            out |= _flatten(value, f"{prefix}.{name}" if prefix else name)
    return out


def _load() -> dict[str, Text]:
    """The catalogue shipped beside this module."""
    data = resources.files(__name__).joinpath(CATALOGUE).read_text(encoding="utf-8")
    return _flatten(tomllib.loads(data))


MESSAGES: dict[str, Text] = _load()


def text(key: str, lang: str, **values) -> str:
    """The catalogue's text for key in lang, with {placeholders} filled."""
    template = MESSAGES[key].get(lang)
    return template.format(**values) if values else template


def both(key: str, **values) -> str:
    """The text in every language, Indonesian first: 'semua periode / every period'."""
    return " / ".join(text(key, lang, **values) for lang in LANGS)


def strings(keys: list[str] | tuple[str, ...], lang: str) -> dict[str, str]:
    """Several interface texts at once, keyed as given."""
    return {key: text(key, lang) for key in keys}


def _is_missing(value) -> bool:
    """Whether a value is None, NaN or pandas NA."""
    try:
        return value is None or bool(value != value) or math.isnan(float(value))
    except (TypeError, ValueError):
        return True


def _swap(number_text: str, lang: str) -> str:
    """English separators (1,234.5) turned Indonesian (1.234,5) when lang is id."""
    if lang == "en":
        return number_text
    return number_text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def format_int(value, lang: str) -> str:
    """A count with thousands separators: 1.234.567 (id), 1,234,567 (en); '–' when missing."""
    return format_number(value, lang, digits=0)


def format_number(value, lang: str, digits: int = 1, signed: bool = False) -> str:
    """A decimal number in the language's format, optionally with its sign; '–' when missing."""
    if _is_missing(value):
        return "–"
    number = round(float(value), digits) or 0.0  # no sign on zero, not even "−0"
    spec = f"{'+' if signed and number else ''},.{digits}f"
    return _swap(format(number, spec), lang).replace("-", "−")


def format_pct(value, lang: str, digits: int = 1) -> str:
    """A percentage: 12,3 % (id), 12.3 % (en); '–' when missing."""
    if _is_missing(value):
        return "–"
    return f"{format_number(value, lang, digits)} %"


def format_date(day: str, lang: str) -> str:
    """'2026-03-12' as '12 Maret 2026' (id) or '12 March 2026' (en)."""
    year, month, date = day.split("-")
    return f"{int(date)} {text(f'month.{int(month)}', lang)} {year}"


def format_period(period: str, lang: str) -> str:
    """'2025-12' as 'Desember 2025' (id) or 'December 2025' (en)."""
    year, month = period.split("-")
    return f"{text(f'month.{int(month)}', lang)} {year}"
