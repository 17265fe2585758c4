"""Published figures found in the press and official statements (data/published_figures.csv).

One figure a row, as compiled for the project: where (kode, level), when (period), what
(metric), how much (value, as written) and how exactly (qualifier), whether it agrees with the
source's other figures (consistency), on which basis and from which source. The reader checks
every row and reports every problem at once as FILE:LINE:COLUMN: message; the writer gives the
file back byte for byte.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import Collection
from pathlib import Path

import pandas as pd

from geo_coverage.errors import GeoCoverageError
from geo_coverage.package_files import data_dir
from geo_coverage.region import CODE_PATTERNS, ROLLUP_LEVELS, SAMPLE_REGION
from geo_coverage.region import LEVELS as REGION_LEVELS

LOGGER = logging.getLogger(__name__)

EVIDENCE_CSV = data_dir() / "published_figures.csv"
COLUMNS = (
    "kode",
    "nama",
    "level",
    "period",
    "metric",
    "value",
    "qualifier",
    "consistency",
    "basis",
    "source",
    "note",
)
NATIONAL_CODE = "ID"
LEVELS = (*ROLLUP_LEVELS, "national")
# exact: as published; rounded: "1,327 juta"; approximate: "sekitar"; bounds: "lebih dari";
# ordinal and qualitative rows hold text (a rank, a statement) instead of a number.
QUALIFIERS = (
    "exact",
    "rounded",
    "approximate",
    "lower_bound",
    "upper_bound",
    "ordinal",
    "qualitative",
)
TEXT_QUALIFIERS = ("ordinal", "qualitative")
CONSISTENCIES = ("", "consistent", "conflicting")
BASES = ("bpjs", "bps", "kemnaker")
DTYPES = {
    "line": "int64",
    **{c: "string" for c in COLUMNS},
    "number": "Float64",
    "decimals": "Int64",
}

_CODE_OF_LEVEL = {
    **{level: re.compile(CODE_PATTERNS[level]) for level in REGION_LEVELS},
    "region": re.compile(re.escape(SAMPLE_REGION.code)),
    "national": re.compile(re.escape(NATIONAL_CODE)),
}
_PERIOD = re.compile(r"(\d{4})(?:-(\d{2}))?|(\d{4})/(\d{4})")
_METRIC = re.compile(r"[a-z][a-z0-9_]*")
_NUMBER = re.compile(r"-?\d+(?:\.(\d+))?")
_BASIS = re.compile(r"(bpjs|bps|kemnaker)(?: \(.+\))?")


class EvidenceError(GeoCoverageError):
    """The published-figures table has problems (every one is listed)."""


def _problems(line: int, row: dict[str, str], known: Collection[str] | None) -> list[tuple]:
    """(line, column, message) for every problem of one row."""
    out = []
    kode, level = row["kode"], row["level"]
    if level not in LEVELS:
        out.append((line, "level", f"unknown level '{level}'; use one of {', '.join(LEVELS)}"))
    elif not _CODE_OF_LEVEL[level].fullmatch(kode):
        out.append((line, "kode", f"'{kode}' is not a {level} code"))
    elif level in REGION_LEVELS and not SAMPLE_REGION.contains(kode):
        provinces = ", ".join(SAMPLE_REGION.provinces)
        out.append((line, "kode", f"'{kode}' is not in the region ({provinces})"))
    elif level in REGION_LEVELS and known is not None and kode not in known:
        out.append((line, "kode", f"'{kode}' is not an official {level} code"))
    match = _PERIOD.fullmatch(row["period"])
    month = match and match.group(2)
    if not match or (month is not None and not 1 <= int(month) <= 12):
        out.append((line, "period", f"'{row['period']}' is not YYYY-MM, YYYY or YYYY/YYYY"))
    if not _METRIC.fullmatch(row["metric"]):
        out.append((line, "metric", f"'{row['metric']}' is not a metric name in snake_case"))
    qualifier = row["qualifier"]
    if qualifier not in QUALIFIERS:
        out.append(
            (line, "qualifier", f"unknown qualifier '{qualifier}'; use {', '.join(QUALIFIERS)}")
        )
    if not row["value"]:
        out.append((line, "value", "blank value"))
    elif qualifier not in TEXT_QUALIFIERS and not _NUMBER.fullmatch(row["value"]):
        out.append(
            (
                line,
                "value",
                f"'{row['value']}' is not a number with dot decimals and no thousands "
                f"separators (only {' and '.join(TEXT_QUALIFIERS)} rows hold text)",
            )
        )
    if row["consistency"] not in CONSISTENCIES:
        out.append(
            (
                line,
                "consistency",
                f"unknown consistency '{row['consistency']}'; leave it blank or use "
                "consistent or conflicting",
            )
        )
    if not _BASIS.fullmatch(row["basis"]):
        out.append(
            (line, "basis", f"'{row['basis']}' is not {', '.join(BASES)} or a stated variant")
        )
    if not row["source"]:
        out.append((line, "source", "blank source: every figure names where it was published"))
    return out


def _number(value: str) -> tuple[float | None, int | None]:
    """The value as a number and its decimals as written, or (None, None) for text."""
    match = _NUMBER.fullmatch(value)
    if not match:
        return None, None
    return float(value), len(match.group(1) or "")


def read_evidence(path: Path = EVIDENCE_CSV, known_codes: Collection[str] | None = None):
    """The published figures as a typed frame: COLUMNS as written plus line, number, decimals.

    Raises EvidenceError listing every problem (FILE:LINE:COLUMN: message). known_codes, when
    given, are the official province and regency codes every row's kode must be one of.
    """
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise EvidenceError(f"{path.name}:-:-: not UTF-8 ({exc.reason})") from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, [])
    problems: list[tuple] = []
    missing = [c for c in COLUMNS if c not in header]
    unknown = [c for c in header if c not in COLUMNS]
    twice = sorted({c for c in header if header.count(c) > 1})
    problems += [(1, c, f"missing column '{c}'") for c in missing]
    problems += [
        (1, c, f"unknown column '{c}'; the columns are {', '.join(COLUMNS)}") for c in unknown
    ]
    problems += [(1, c, f"column '{c}' appears twice") for c in twice]
    records = []
    if not problems:
        line = reader.line_num + 1
        for cells in reader:
            if len(cells) != len(header):
                problems.append(
                    (line, None, f"{len(cells)} fields where the header has {len(header)}")
                )
            else:
                row = dict(zip(header, (c.strip() for c in cells), strict=True))
                problems += _problems(line, row, known_codes)
                number, decimals = _number(row["value"])
                records.append({"line": line, **row, "number": number, "decimals": decimals})
            line = reader.line_num + 1
    if not problems and not records:
        problems.append((2, None, "no figures: the file has only a header"))
    if problems:
        lines = [f"{path.name}:{r}:{c or '-'}: {m}" for r, c, m in problems]
        raise EvidenceError(f"{path} is not a valid published-figures table:\n" + "\n".join(lines))
    frame = pd.DataFrame.from_records(records, columns=list(DTYPES))
    return frame.astype(DTYPES)


def with_numbers(frame: pd.DataFrame) -> pd.DataFrame:
    """The figures with `number` and `decimals` (as written) read from their values; null for
    text values (ranks, statements)."""
    read = [_number(v) for v in frame["value"].astype(str)]
    return frame.assign(
        number=pd.array([n for n, _d in read], dtype="Float64"),
        decimals=pd.array([d for _n, d in read], dtype="Int64"),
    )


def evidence_csv(frame: pd.DataFrame) -> str:
    """The figures as CSV with exactly COLUMNS, quoted and ended (CRLF) as the shared file."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(frame.loc[:, list(COLUMNS)].itertuples(index=False, name=None))
    return out.getvalue()


def in_area(frame: pd.DataFrame, kode: str) -> pd.DataFrame:
    """The figures of an area and of the areas inside it ('73' gives 73 and 73.xx)."""
    codes = frame["kode"]
    return frame[(codes == kode) | codes.str.startswith(f"{kode}.")]


# An address as the table writes them: a lower-case host with an optional path
# ("makassar.tribunnews.com/2021/12/13/..."); outlet names such as "Bisnis.com" start with a
# capital and are left as text. A bare path after ": " belongs to the host named before it.
_HOST = r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*\.[a-z]{2,}"
_ADDRESS = re.compile(
    rf"(?<![\w.])(?P<host>{_HOST})(?P<path>/[^\s;,]*)?|(?<=: )(?P<bare>/[^\s;,]+)"
)
_TRAILING = ".)"
_SAME = " (same"


def _href(host: str, path: str) -> str:
    """An https URL of an address; a path the table shortened with '...' links to the host."""
    path = "" if "..." in path else path.rstrip(_TRAILING)
    return f"https://{host}{path}"


def source_parts(source: str) -> list[tuple[str, str | None]]:
    """A source as (text, URL or None) pieces in order: its addresses become links."""
    parts: list[tuple[str, str | None]] = []
    host, last = None, 0
    for match in _ADDRESS.finditer(source):
        if match.group("bare") is not None and host is None:
            continue
        start, end = match.span()
        token = match.group(0)
        kept = len(token.rstrip(_TRAILING)) if match.group("path") else len(token)
        end = start + kept
        if match.group("bare") is not None:
            href = _href(host, match.group("bare"))
        else:
            host = match.group("host")
            href = _href(host, match.group("path") or "")
        if start > last:
            parts.append((source[last:start], None))
        parts.append((source[start:end], href))
        last = end
    if last < len(source):
        parts.append((source[last:], None))
    return parts


def source_links(source: str) -> tuple[str, ...]:
    """The URLs a source names, in order, without repeats."""
    return tuple(dict.fromkeys(href for _text, href in source_parts(source) if href))


def resolved_links(sources: list[str]) -> list[tuple[str, ...]]:
    """Each source's URLs; a row citing "(same ...)" without an address of its own gets the
    URLs of the row of the same outlet and date that has them."""
    own = [source_links(s) for s in sources]
    resolved = []
    for source, links in zip(sources, own, strict=True):
        if not links and _SAME in source:
            prefix = source.split(_SAME, 1)[0]
            links = next(
                (
                    found
                    for other, found in zip(sources, own, strict=True)
                    if found and other.startswith(prefix) and other != source
                ),
                (),
            )
        resolved.append(links)
    return resolved


def outlet(source: str) -> str:
    """The source without its addresses: outlet, date and speaker ("Tribun Timur, 13 Dec
    2021")."""
    return source.split(": ", 1)[0].strip()
