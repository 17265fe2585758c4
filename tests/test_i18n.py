"""One message catalogue: every text in both languages, and no translation kept elsewhere."""

from __future__ import annotations

import ast
import re
from string import Formatter

import pytest
from repo import REPO_ROOT

from geo_coverage import i18n
from geo_coverage.i18n import LANGS, MESSAGES, Text

PACKAGE = REPO_ROOT / "geo_coverage"
# Words that only an Indonesian text holds; such a text belongs in the catalogue or the
# metric registry (as a Text), nowhere else.
INDONESIAN = re.compile(
    r"\b(yang|tidak|dan|untuk|dengan|semua|belum|sebagian|kembali|unduh|dimuat|terapkan|"
    r"cakupan|kepesertaan|pekerja|provinsi|kabupaten|segmen|periode|sematan|wilayahnya)\b",
    re.IGNORECASE,
)
TEXT_HOMES = {"metrics/registry.py"}  # modules that may write Text(id, en) themselves
# Official name prefixes (Kemendagri's "Kabupaten X", "Kota Y") are names, not texts.
NAME_CONSTANTS = {
    ("region.py", "REGENCY_PREFIX"),
    ("region.py", "CITY_PREFIX"),
    ("region.py", "NAME_PREFIXES"),
}


def _placeholders(template: str) -> set[str]:
    """The {names} a template fills."""
    return {name for _, name, _, _ in Formatter().parse(template) if name}


def test_every_message_has_both_languages_with_the_same_placeholders():
    assert len(MESSAGES) > 100
    for key, message in MESSAGES.items():
        texts = [message.get(lang) for lang in LANGS]
        assert all(t.strip() for t in texts), key
        assert _placeholders(texts[0]) == _placeholders(texts[1]), key


def test_a_message_missing_a_language_is_refused():
    with pytest.raises(ValueError, match=r"message 'a\.b' .*missing: en"):
        i18n._flatten({"a": {"b": {"id": "satu"}}})
    with pytest.raises(ValueError, match="unknown: fr"):
        i18n._flatten({"a": {"id": "satu", "en": "one", "fr": "un"}})
    assert i18n._flatten({"a": {"id": "x", "en": "y", "b": {"id": "p", "en": "q"}}}) == {
        "a": Text("x", "y"),
        "a.b": Text("p", "q"),
    }


def test_text_fills_placeholders_and_defaults_to_indonesian():
    assert i18n.text("below_threshold", "en", value="5 %") == "Below 5 %"
    assert i18n.text("below_threshold", "xx", value="5 %") == "Di bawah 5 %"
    assert i18n.both("download.all_periods") == "semua periode / every period"


def _parents(tree: ast.AST) -> dict[int, ast.AST]:
    """Each node's parent, by id."""
    return {id(child): node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


def _inside_text_call(node: ast.AST, parents: dict[int, ast.AST]) -> bool:
    """Whether a node is (part of) an argument of a Text(...) call."""
    while id(node) in parents:
        node = parents[id(node)]
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Text":
            return True
    return False


def _docstrings(tree: ast.AST) -> set[int]:
    """The ids of the docstring constants of a module, its classes and functions."""
    return {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
    }


def _pairs_in(source: str, relative: str) -> list[str]:
    """Translations written out in a module: {'id': …, 'en': …}, `… if lang == 'en' else …`,
    Text(…) outside its homes, and Indonesian text outside Text(…)."""
    tree = ast.parse(source)
    parents, docstrings, found = _parents(tree), _docstrings(tree), []
    names = {
        id(part)
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign)
        and any((relative, getattr(t, "id", None)) in NAME_CONSTANTS for t in node.targets)
        for part in ast.walk(node.value)
    }
    for node in ast.walk(tree):
        where = f"{relative}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Dict):
            keys = {k.value for k in node.keys if isinstance(k, ast.Constant)}
            if set(LANGS) <= keys:
                found.append(f"{where}: a dict keyed by language")
        elif isinstance(node, ast.IfExp) and isinstance(node.test, ast.Compare):
            compared = [c.value for c in ast.walk(node.test) if isinstance(c, ast.Constant)]
            branches = [b.value for b in (node.body, node.orelse) if isinstance(b, ast.Constant)]
            texts = [b for b in branches if isinstance(b, str) and b not in LANGS]  # not codes
            if set(compared) & set(LANGS) and len(texts) == 2:
                found.append(f"{where}: a text chosen by language")
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Text":
            if relative not in TEXT_HOMES:
                found.append(f"{where}: Text(...) outside the catalogue and the registry")
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings | names
            and INDONESIAN.search(node.value)
            and not _inside_text_call(node, parents)
        ):
            found.append(f"{where}: Indonesian text {node.value[:40]!r}")
    return found


def test_no_module_keeps_its_own_translations():
    found = [
        problem
        for path in sorted(PACKAGE.rglob("*.py"))
        if not path.is_relative_to(PACKAGE / "i18n")
        for problem in _pairs_in(
            path.read_text(encoding="utf-8"), path.relative_to(PACKAGE).as_posix()
        )
    ]
    assert not found, "texts belong in geo_coverage/i18n/messages.toml:\n" + "\n".join(found)


def test_no_template_or_script_keeps_its_own_translations():
    sources = [*sorted((REPO_ROOT / "templates").glob("*.html"))]
    sources += sorted((PACKAGE / "web" / "static").rglob("*.js"))
    assert len(sources) > 10
    for path in sources:
        page = path.read_text(encoding="utf-8")
        assert not re.search(r"['\"][^'\"]*\s[^'\"]*['\"]\s+if\s+lang\b", page), path.name
        static = re.sub(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", " ", page, flags=re.DOTALL)
        assert not INDONESIAN.search(static), f"{path.name}: {INDONESIAN.search(static)[0]}"


def test_the_module_check_finds_each_kind_of_translation():
    source = (
        'LABEL = {"id": "Peta", "en": "Map"}\n'
        'def f(lang):\n    return "Back" if lang == "en" else "Kembali"\n'
        'NOTE = "data yang dimodelkan"\n'
        'TITLE = Text("Judul", "Title")\n'
    )
    found = sorted(p.split(": ", 1)[1] for p in _pairs_in(source, "maps/probe.py"))
    assert found == [
        "Indonesian text 'Kembali'",
        "Indonesian text 'data yang dimodelkan'",
        "Text(...) outside the catalogue and the registry",
        "a dict keyed by language",
        "a text chosen by language",
    ]
    assert _pairs_in(source.splitlines()[-1], "metrics/registry.py") == []


def _texts_people_read():
    """Every catalogue message and every label, description and title of the registry."""
    from geo_coverage.i18n import MESSAGES
    from geo_coverage.metrics.registry import FIELDS

    yield from MESSAGES.items()
    for f in FIELDS:
        yield f"{f.key}.label", f.label
        yield f"{f.key}.description", f.description
        if f.map:
            for name in ("title", "worst", "compared"):
                if getattr(f.map, name) is not None:
                    yield f"{f.key}.map.{name}", getattr(f.map, name)


def test_informal_workers_are_named_one_way_everywhere():
    named = {"id": "pekerja informal (BPU)", "en": "informal workers (BPU)"}
    checked = 0
    for key, both in _texts_people_read():
        for lang in LANGS:
            words = re.sub(r"`[^`]*`|\binformal \(BPU\),", "", both.get(lang))  # values
            if re.search(r"informal|\bBPU\b", words, re.IGNORECASE):
                checked += 1
                assert named[lang] in words.lower().replace("(bpu)", "(BPU)"), (key, lang, words)
    assert checked >= 10
