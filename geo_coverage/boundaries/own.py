"""Read an office's own boundary file (any polygon format GDAL reads) as a layer."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from glob import escape as glob_escape
from pathlib import Path

import numpy as np
import pyogrio
import shapely
from shapely.geometry.base import BaseGeometry

from geo_coverage.boundaries.geometry import polygonal
from geo_coverage.boundaries.layers import Layer
from geo_coverage.errors import BuildError
from geo_coverage.region import level_of


@dataclass(frozen=True)
class OwnBoundaries:
    """Where the file is and which fields hold the code and the name."""

    path: Path
    code_field: str
    name_field: str
    level: str = "regency"


def dataset_files(path: Path) -> list[Path]:
    """The file and its sidecars (a shapefile's .dbf, .prj, …: same folder, same stem)."""
    return sorted(p for p in path.parent.glob(f"{glob_escape(path.stem)}.*") if p.is_file())


def normalise_code(value: object) -> str:
    """A Kemendagri code as text: '7371' or 7371 becomes '73.71'; dotted codes stay as they are."""
    text = str(value).strip()
    if re.fullmatch(r"\d+\.0", text):
        text = text[:-2]
    if re.fullmatch(r"\d{2}(\d{2}){0,2}", text):
        text = ".".join(text[i : i + 2] for i in range(0, len(text), 2))
    return text


def read_own_layer(own: OwnBoundaries, known_codes: Collection[str]) -> Layer:
    """The file's polygons as a layer; every unreadable row and unknown code is reported at once."""
    if not own.path.exists():
        raise BuildError([f"{own.path}: no such file"])
    try:
        frame = pyogrio.read_dataframe(own.path)
    except Exception as exc:  # GDAL raises several types for unreadable files
        raise BuildError([f"{own.path}: GDAL cannot read it as a vector layer ({exc})"]) from exc
    missing = [f for f in (own.code_field, own.name_field) if f not in frame.columns]
    if missing:
        fields = ", ".join(c for c in frame.columns if c != "geometry")
        raise BuildError([f"{own.path}: no field {f!r} (fields: {fields})" for f in missing])
    if frame.crs is None:
        raise BuildError(
            [
                f"{own.path}: no coordinate reference system; add a .prj or "
                "reproject the file to a known CRS"
            ]
        )
    frame = frame.to_crs("EPSG:4326")
    problems: list[str] = []
    repairs: list[dict[str, object]] = []
    codes: list[str] = []
    names: list[str] = []
    geoms: list[BaseGeometry] = []
    seen: dict[str, int] = {}
    for row_no, (raw_code, name, geom) in enumerate(
        zip(frame[own.code_field], frame[own.name_field], frame.geometry, strict=True), 1
    ):
        where = f"{own.path}, feature {row_no}, field {own.code_field}"
        kode = normalise_code(raw_code)
        if raw_code is None or kode in ("", "None", "nan"):
            problems.append(f"{where}: empty code")
            continue
        if kode != str(raw_code).strip():
            repairs.append({"repair": "code_normalised", "from": str(raw_code), "kode": kode})
        if kode not in known_codes:
            hint = (
                f" (a {level_of(kode)} code, not a {own.level} code)"
                if level_of(kode) != own.level
                else ""
            )
            problems.append(
                f"{where}: {kode!r} is not a Kemendagri {own.level} code of the region{hint}"
            )
            continue
        if geom is None or geom.is_empty or polygonal(geom).is_empty:
            problems.append(f"{own.path}, feature {row_no} ({kode}): no polygon geometry")
            continue
        if kode in seen:
            i = seen[kode]
            geoms[i] = polygonal(
                shapely.union(shapely.make_valid(geoms[i]), shapely.make_valid(polygonal(geom)))
            )
            repairs.append({"repair": "features_merged", "kode": kode, "feature": row_no})
            continue
        seen[kode] = len(codes)
        codes.append(kode)
        names.append(str(name) if name is not None else kode)
        geoms.append(polygonal(geom))
    absent = sorted(set(known_codes) - set(codes))
    if absent:
        problems.append(
            f"{own.path}: {len(absent)} {own.level} codes of the region are not in "
            f"the file: {', '.join(absent[:20])}{' …' if len(absent) > 20 else ''}"
        )
    if problems:
        raise BuildError(problems)
    return Layer(own.level, codes, names, np.array(geoms, dtype=object), repairs)
