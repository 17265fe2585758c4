"""The store build: reference tables (areas with the districts, evidence, uncertainty), the
shipped targets and the sample.

Idempotent like the shapes build: a digest of the inputs and of the code is kept in the store,
and a build with the same digest does nothing. The modelled sample is stored as its own
version named SAMPLE_FILE_NAME, with its provenance, only when the store has no versions yet
or when the active version is an earlier sample; data a user imported is never overwritten by
the sample.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Mapping
from pathlib import Path

import pandas as pd

from geo_coverage.config import Settings
from geo_coverage.enrollment import store
from geo_coverage.enrollment.areas import REGION_META, area_infos, areas_frame
from geo_coverage.enrollment.backend import open_store
from geo_coverage.enrollment.model_errors import all_comparisons, uncertainty_table
from geo_coverage.enrollment.sample import Sample, evidence_uses, generate_sample
from geo_coverage.enrollment.table import ValidationReport, empty_rows, to_csv
from geo_coverage.enrollment.targets import TARGETS_CSV, read_targets
from geo_coverage.enrollment.validation import read_table
from geo_coverage.errors import BuildError
from geo_coverage.package_files import package_digest
from geo_coverage.region import SAMPLE_REGION, Region
from geo_coverage.sources.districts import district_files, load_districts
from geo_coverage.sources.evidence import EVIDENCE_CSV, read_evidence
from geo_coverage.sources.pinned import fetch_all, pinned_files
from geo_coverage.sources.reference import PENDUDUK_KEY, load_reference

LOGGER = logging.getLogger(__name__)

SAMPLE_FILE_NAME = "sample (modelled)"
SAMPLE_CSV_NAME = "sample_enrollment.csv"


def store_key(region: Region) -> str:
    """A digest of everything the store build depends on: the region, inputs, data files and
    code."""
    digest = hashlib.sha256(f"{store.SCHEMA_VERSION}|{region.key}".encode())
    inputs = {PENDUDUK_KEY, *district_files(region)}
    digest.update("".join(p.sha256 for p in pinned_files() if p.key in inputs).encode())
    for path in (EVIDENCE_CSV, TARGETS_CSV):
        digest.update(path.read_bytes())
    digest.update(package_digest("sources", "enrollment", "region.py").encode())
    return digest.hexdigest()


def build_sample_store(
    settings: Settings,
    paths: Mapping[str, Path] | None = None,
    progress: Callable[[str], None] = LOGGER.info,
    force: bool = False,
) -> bool:
    """Build the enrollment store unless it is up to date; True if anything was written."""
    backend = open_store(settings)
    region = settings.region
    key = store_key(region)
    if not force and backend.is_built() and backend.get_meta("build_key") == key:
        progress(f"enrollment store {backend.location} is up to date; nothing to do")
        return False
    paths = paths if paths is not None else fetch_all(settings, progress)
    areas = areas_frame(load_reference(paths, region), load_districts(paths, region))
    reference = load_reference(paths, SAMPLE_REGION)
    evidence = read_evidence(EVIDENCE_CSV, known_codes=set(areas_frame(reference)["kode"]))
    progress(f"modelling the sample enrollment data from {len(evidence)} published figures")
    sample = generate_sample(reference, evidence)
    rows, provenance = sample_in_region(sample, region)
    text = to_csv(rows)
    if rows.empty:
        progress(f"the modelled sample covers {SAMPLE_REGION.name} only: no rows for {region.name}")
        sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
        report = ValidationReport(SAMPLE_FILE_NAME, sha, empty_rows())
    else:
        report = read_table(
            text.encode("utf-8"), SAMPLE_FILE_NAME, area_infos(areas), allow_future=True
        )
    if not report.ok:
        raise BuildError(["the generated sample fails validation:"] + report.lines("errors"))
    progress("measuring the model's errors by leaving published figures out")
    uncertainty = uncertainty_table(all_comparisons(sample.model))
    uses = evidence_uses(sample.model)
    targets = read_targets(area_infos(areas))
    backend.initialise()
    backend.write_reference(areas, evidence.assign(use=evidence["line"].map(uses)), uncertainty)
    backend.set_meta(REGION_META, region.key)
    progress(backend.store_builtin(targets.table, TARGETS_CSV.name, targets.sha256))
    settings.instance.mkdir(parents=True, exist_ok=True)
    (settings.instance / SAMPLE_CSV_NAME).write_text(text, encoding="utf-8")
    digest = hashlib.sha256(report.sha256.encode())
    digest.update(provenance.to_csv(index=False).encode())
    sha256 = digest.hexdigest()
    history, active = backend.versions()
    current = next((v for v in history if v.id == active), None)
    if current is None or (current.kind == "sample" and current.sha256 != sha256):
        version = backend.write_version(
            report.table,
            kind="sample",
            file_name=SAMPLE_FILE_NAME,
            sha256=sha256,
            file_rows=len(report.table),
            replace_all=True,
            provenance=provenance,
        )
        progress(
            f"stored the modelled sample as version {version.id}: {version.total_rows} "
            f"rows (a copy is in {settings.instance / SAMPLE_CSV_NAME})"
        )
    elif current.kind == "sample":
        progress(f"the active version {current.id} is already the current sample")
    else:
        progress(
            f"the active version {current.id} holds imported data ({current.file_name}); "
            "the sample was not stored over it"
        )
    backend.set_meta("build_key", key)
    progress(f"enrollment store {backend.location} is built")
    return True


def sample_in_region(sample: Sample, region: Region) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The sample's rows and provenance in the region. The model describes SAMPLE_REGION (its
    published figures), so a region gets the rows of the regencies it shares with it and none
    elsewhere (those areas show no data until figures are imported)."""
    inside = sample.rows["kode"].map(region.contains).astype(bool)
    kept = sample.provenance["kode"].map(lambda k: k == region.code or region.contains(k))
    return (
        sample.rows[inside].reset_index(drop=True),
        sample.provenance[kept.astype(bool)].reset_index(drop=True),
    )
