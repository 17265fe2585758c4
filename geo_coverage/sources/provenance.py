"""Where the served data come from and under which terms: travels with every download."""

from __future__ import annotations

from pathlib import PurePath

from geo_coverage.region import BOUNDARY_LEVELS
from geo_coverage.sources.pinned import pinned_files

TITLES = {"wilayah_boundaries": "Boundaries", "wilayah": "Official areas and population"}
PUBLIC_BOUNDARIES = "wilayah_boundaries"


def _levels_given(own_level: str) -> tuple[str, ...]:
    """The levels whose geometry an own boundary file gives: its own and every coarser one
    (provinces are derived from own regencies)."""
    return BOUNDARY_LEVELS[: BOUNDARY_LEVELS.index(own_level) + 1]


def own_boundaries(build_report: dict, level: str) -> dict | None:
    """The own boundary file (`build --boundaries`) a level's geometry comes from, or None when
    it comes from the public boundaries."""
    own = (build_report.get("source") or {}).get("own_boundaries")
    if not own or level not in _levels_given(own["level"]):
        return None
    return own


def own_file_line(own: dict) -> str:
    """The sources line of an own boundary file: its name, digest and fields (not its path)."""
    name = PurePath(own["file"]).name
    return (
        f"Boundaries: the operator's own file {name} (sha256 {own['sha256'][:16]}, codes from "
        f"{own['code_field']}, names from {own['name_field']}), not {PUBLIC_BOUNDARIES}"
    )


def sources(own: dict | None = None) -> list[str]:
    """One line per source of the served data, with the pinned upstream commits; with an own
    boundary file, that file instead of the public boundaries."""
    pinned = {(f.dataset, f.repository, f.commit) for f in pinned_files()}
    lines = [
        f"{TITLES.get(dataset, dataset)}: {dataset} by Cahya DSN, "
        f"https://github.com/{repository} (commit {commit})"
        for dataset, repository, commit in sorted(pinned)
        if own is None or dataset != PUBLIC_BOUNDARIES
    ]
    if own is not None:
        lines.insert(0, own_file_line(own))
    return lines + [
        "Area codes: Kepmendagri No 300.2.2-2138 Tahun 2025.",
        "Boundaries repaired by geo_coverage: see shapes/README.md and the build report.",
        "Coverage figures: the geo_coverage enrollment store; published figures with their "
        "sources in data/published_figures.csv (geo-coverage evidence lists them).",
    ]


MODELLED_NOTE = (
    "Rows whose data_source is 'modelled' or 'mixed' are illustrative estimates modelled from a "
    "few published figures, not official BPJS Ketenagakerjaan statistics."
)

LICENCE = """\
Boundaries and official areas: MIT License, Copyright (c) 2024 Cahya DSN (wilayah_boundaries)
and Copyright (c) 2017-2025 Cahya DSN (wilayah). Keep this notice with anything derived from them.

    MIT License

    Copyright (c) 2024 Cahya DSN

    Permission is hereby granted, free of charge, to any person obtaining a copy
    of this software and associated documentation files (the "Software"), to deal
    in the Software without restriction, including without limitation the rights
    to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
    copies of the Software, and to permit persons to whom the Software is
    furnished to do so, subject to the following conditions:

    The above copyright notice and this permission notice shall be included in all
    copies or substantial portions of the Software.

    THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
    IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
    FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
    AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
    LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
    OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
    SOFTWARE.
"""

LICENCE_SHORT = "Boundaries and areas: MIT License, Cahya DSN (wilayah_boundaries, wilayah)."
LICENCE_SHORT_OWN = (
    "Official areas: MIT License, Cahya DSN (wilayah). Boundaries: the operator's own file, "
    "under the operator's terms."
)


def licence_short(own: dict | None = None) -> str:
    """The one-line licence note: the public boundaries', or the own file's."""
    return LICENCE_SHORT if own is None else LICENCE_SHORT_OWN
