"""The modelled sample: deterministic, complete, calibrated to the published figures, with
labels by provenance and measured uncertainty. (Every published figure of a sample period
is checked through `geo-coverage summary` in tests/cli/test_summary_reproduces_evidence.py.)"""

from __future__ import annotations

import pandas as pd
import pytest
from enrollment_helpers import HEADER, quiet

from geo_coverage.enrollment import build as store_build
from geo_coverage.enrollment import sample, store
from geo_coverage.enrollment.anchors import ModelError, month_index, usable_figures
from geo_coverage.enrollment.backend import open_store
from geo_coverage.enrollment.build import SAMPLE_FILE_NAME, build_sample_store
from geo_coverage.enrollment.importer import import_file
from geo_coverage.enrollment.model_errors import regency_comparisons
from geo_coverage.enrollment.pattern import expit, logit
from geo_coverage.enrollment.sample import (
    PERIODS,
    build_model,
    generate_sample,
    province_totals,
    regency_estimate,
    sample_periods,
)
from geo_coverage.enrollment.segments import SEGMENTS, allocate
from geo_coverage.enrollment.series import NEIGHBOURS
from geo_coverage.metrics import dataset
from geo_coverage.sources.evidence import read_evidence

pytest_plugins = ["enrollment_fixtures"]

EVIDENCE = read_evidence()


@pytest.fixture(scope="module")
def generated(reference):
    return generate_sample(reference, EVIDENCE)


@pytest.fixture(scope="module")
def provinces(generated):
    """Province sums of the sample rows: (kode, period) -> (potential, members)."""
    rows = generated.rows.assign(prov=generated.rows["kode"].str[:2])
    sums = rows.groupby(["prov", "period"])[["potential_workers", "active_members"]].sum()
    return {k: (int(p), int(m)) for k, (p, m) in sums.iterrows()}


def test_sample_is_deterministic_and_complete(reference, generated):
    again = generate_sample(reference, EVIDENCE)
    assert again.rows.equals(generated.rows) and again.provenance.equals(generated.provenance)
    rows = generated.rows
    regencies = {a.kode for a in reference.regencies()}
    keys = set(zip(rows["kode"], rows["period"], rows["segment"], strict=True))
    assert keys == {(k, p, s) for k in regencies for p in PERIODS for s in SEGMENTS}
    assert "migrant" not in set(rows["segment"])  # no migrant figure is published on its own
    assert (rows["data_source"] == "modelled").all()
    assert (rows["active_members"] >= 0).all() and (rows["potential_workers"] >= 0).all()
    assert rows["source"].str.startswith(sample.SOURCE_NOTE).all()


def test_periods_are_the_months_where_the_figures_lie():
    figures, _ = usable_figures(EVIDENCE)
    assert list(PERIODS) == sample_periods(figures)
    counts = pd.Series([f.period for f in figures]).value_counts()
    # the sample periods hold most usable figures
    assert counts[counts.index.isin(PERIODS)].sum() > counts.sum() / 2


def test_province_series_follow_the_published_figures_between_anchors(reference, provinces):
    """No assumed trend: between two months with published coverage the sample's coverage
    lies between the two; after the last it stays at the last."""
    model = build_model(reference, EVIDENCE)
    for kode, points in model.series.points.items():
        anchored = [(month_index(p.month), p.coverage) for p in points if p.coverage is not None]
        for period in PERIODS:
            if not model.rules(kode, period).empty:
                continue
            m = month_index(period)
            potential, members = provinces[(kode, period)]
            coverage = members / potential
            before = [c for t, c in anchored if t <= m]
            after = [c for t, c in anchored if t >= m]
            if before and after:
                low, high = sorted((before[-1], after[0]))
                assert low - 1e-6 <= coverage <= high + 1e-6, (kode, period)
            else:
                edge = before[-1] if before else after[0]
                assert coverage == pytest.approx(edge, abs=1e-6), (kode, period)


def test_published_falls_are_kept(provinces):
    """Coverage falls where the published figures fall (Sulawesi Utara Dec 2024 to Aug 2025,
    Maluku Sep 2022 to Dec 2024), computed from the evidence file, not assumed."""
    ev = EVIDENCE[(EVIDENCE["metric"] == "coverage_pct") & (EVIDENCE["level"] == "province")]
    ev = ev[ev["period"].isin(PERIODS) & (ev["consistency"] != "conflicting")]
    series = ev.sort_values("period").groupby("kode")
    falls = 0
    for kode, rows in series:
        published = list(zip(rows["period"], rows["number"].astype(float), strict=True))
        for (p0, c0), (p1, c1) in zip(published, published[1:], strict=False):
            if c1 < c0 - 1:
                falls += 1
                (pot0, mem0), (pot1, mem1) = provinces[(kode, p0)], provinces[(kode, p1)]
                assert mem1 / pot1 < mem0 / pot0, (kode, p0, p1)
    assert falls >= 2


def test_sulawesi_barat_is_modelled_from_its_neighbours(reference, generated, provinces):
    assert not (
        EVIDENCE["kode"].str.startswith("76") & EVIDENCE["basis"].str.startswith("bpjs")
    ).any()
    model = build_model(reference, EVIDENCE)
    assert model.series.model_of("76") == "neighbours"
    population = {k: a.population for k, a in reference.areas.items()}
    for period in PERIODS:
        potential, members = provinces[("76", period)]
        pairs = [model.series.at(n, period) for n in NEIGHBOURS["76"]]
        pooled = sum(p * c for p, c in pairs) / sum(p for p, _ in pairs)
        per_head = sum(p for p, _ in pairs) / sum(population[n] for n in NEIGHBOURS["76"])
        if model.rules(sample.REGION_CODE, period).empty:
            assert members / potential == pytest.approx(pooled, abs=1e-5)
            assert potential == round(per_head * population["76"])
    labels = generated.provenance.set_index(["kode", "period", "segment"])
    assert (labels.loc[("76", slice(None), "all"), "model"] == "neighbours").all()


def test_segments_follow_the_published_ratios(reference, generated):
    """Informal coverage ÷ wage coverage and the construction share of members stay within
    what was published, wherever no published segment figure forces them."""
    figures, _ = usable_figures(EVIDENCE)
    model = build_model(reference, EVIDENCE)
    ratios = [v for k, v in model.pattern.informal_ratio.items() if k != "*"]
    shares = [v for k, v in model.pattern.construction_share.items() if k != "*"]
    forced = {(f.kode, f.period) for f in figures if f.segment != "all"}
    forced |= {
        (k, p) for k in model.reference.areas if "." in k for (pk, p) in forced if pk == k[:2]
    }
    wide = generated.rows.pivot_table(
        index=["kode", "period"], columns="segment", values=["potential_workers", "active_members"]
    )
    checked = 0
    for (kode, period), row in wide.iterrows():
        if (kode, period) in forced:
            continue
        members = row["active_members"]
        wage = members["wage"] / row["potential_workers"]["wage"]
        informal = members["informal"] / row["potential_workers"]["informal"]
        if wage < 0.999:
            assert min(ratios) - 0.01 <= informal / wage <= max(ratios) + 0.01, (kode, period)
            checked += 1
        share = members["construction"] / members.sum()
        assert min(shares) - 0.01 <= share <= max(shares) + 0.01, (kode, period)
    assert checked > 500
    # the published ratios: 0.15 (Wajo), 0.24 (Sulawesi Selatan), 0.31 (Luwu Utara)
    assert min(ratios) >= 0.14 and max(ratios) <= 0.32


def test_conflicting_figures_never_anchor(reference):
    """A conflicting count is ignored; the same count unflagged is reproduced."""
    ev = EVIDENCE.copy()
    target = ev[
        (ev["metric"] == "active_members")
        & (ev["level"] == "province")
        & (ev["period"] == "2025-05")
        & (ev["qualifier"] == "exact")
    ].index[0]
    kode = ev.loc[target, "kode"]
    changed = int(float(ev.loc[target, "number"])) + 12_345
    ev.loc[target, ["value", "number"]] = [str(changed), float(changed)]
    flagged = ev.copy()
    flagged.loc[target, "consistency"] = "conflicting"
    used = province_totals(build_model(reference, ev), "2025-05")[kode]
    ignored = province_totals(build_model(reference, flagged), "2025-05")[kode]
    assert used[1] == changed and ignored[1] != changed


def test_figures_that_cannot_all_be_met_are_an_error_naming_them(reference):
    ev = EVIDENCE.copy()
    row = ev[(ev["kode"] == "82") & (ev["period"] == "2025-05") & (ev["metric"] == "coverage_pct")]
    ev.loc[row.index[0], ["value", "number"]] = ["12.34", 12.34]
    with pytest.raises(ModelError, match=rf"lines .*{int(row['line'].iloc[0])}"):
        province_totals(build_model(reference, ev), "2025-05")


def test_leave_one_out_leaves_the_figure_out(reference):
    """A regency's leave-one-out estimate does not move when its own published figure does."""
    model = build_model(reference, EVIDENCE)
    comparisons = regency_comparisons(model)
    assert len(comparisons) >= 20
    first = comparisons[0]
    ev = EVIDENCE.copy()
    own = ev["kode"] == first.kode
    ev.loc[own & (ev["metric"] == "coverage_pct"), "number"] = 3.0
    ev.loc[own & (ev["metric"] == "coverage_pct"), "value"] = "3"
    moved = build_model(reference, ev)

    def keep(f):
        return f.kode != first.kode

    before = regency_estimate(model, first.kode, first.month, keep)
    after = regency_estimate(moved, first.kode, first.month, keep)
    assert before == after
    assert first.modelled == pytest.approx(before[1] / before[0])


def test_uncertainty_bands_are_stored_and_cover_most_errors(sample_store_template):
    snap = open_store(sample_store_template).read_snapshot()
    bands = snap.uncertainty.set_index("model")
    assert {"regency", "province", "neighbours"} <= set(bands.index)
    model = build_model_from(sample_store_template)
    comparisons = [c for c in regency_comparisons(model) if c.model == "regency"]
    low, high = bands.loc["regency", ["logit_low", "logit_high"]]
    inside = [
        expit(logit(c.modelled) + low) <= c.published <= expit(logit(c.modelled) + high)
        for c in comparisons
    ]
    assert bands.loc["regency", "comparisons"] == len(comparisons)
    assert sum(inside) / len(inside) >= 0.75  # a 10th-90th percentile band


def build_model_from(settings):
    from geo_coverage.sources.pinned import fetch_all
    from geo_coverage.sources.reference import load_reference

    return build_model(load_reference(fetch_all(settings, quiet), settings.region), EVIDENCE)


def test_labels_and_bands_of_the_sample(sample_store_template):
    prov = dataset.load_all_metrics(sample_store_template, "province").set_index(["kode", "period"])
    snap = open_store(sample_store_template).read_snapshot()
    records = snap.provenance[snap.provenance["segment"] == "all"].set_index(["kode", "period"])
    for key, row in prov.iterrows():
        rec = records.loc[key]
        if rec["members"] == rec["potential"] == "published":
            assert row["data_source"] == "published", key
            assert pd.isna(row["coverage_pct_low"]), key
        elif (rec[["members", "potential", "coverage"]] == "modelled").all():
            assert row["data_source"] in ("modelled", "mixed"), key
            assert row["coverage_pct_low"] <= row["coverage_pct_high"], key
        else:
            assert row["data_source"] == "mixed", key
    assert (prov["data_source"] == "published").sum() >= 10
    reg = dataset.load_all_metrics(sample_store_template, "regency")
    modelled = reg[reg["data_source"] == "modelled"]
    assert modelled["coverage_pct_low"].notna().all()
    assert (modelled["coverage_pct_low"] < modelled["coverage_pct_high"]).all()
    assert set(reg["data_source"]) == {"published", "mixed", "modelled"}


def test_allocation_is_exact():
    parts = allocate(1_000_001, [3, 3, 3])
    assert parts.sum() == 1_000_001 and sorted(parts.tolist()) == [333_333, 333_334, 333_334]
    assert allocate(0, [1, 2]).tolist() == [0, 0]
    with pytest.raises(ValueError):
        allocate(5, [0, 0])


def test_second_build_does_nothing(sample_store_template):
    messages: list[str] = []
    assert build_sample_store(sample_store_template, progress=messages.append) is False
    assert any("nothing to do" in m for m in messages)


def test_a_changed_evidence_table_changes_the_data_version(
    enrollment_settings, tmp_path, monkeypatch
):
    path = enrollment_settings.store_path
    before = store.data_version(path)
    text = store_build.EVIDENCE_CSV.read_text(encoding="utf-8")
    changed = tmp_path / "published_figures.csv"
    changed.write_text(text.replace("Tribun Timur, 13 Dec 2021", "Tribun Timur (13 Dec 2021)"))
    monkeypatch.setattr(store_build, "EVIDENCE_CSV", changed)
    assert build_sample_store(enrollment_settings, progress=quiet)
    assert store.data_version(path) != before
    stored = store.read_evidence(path)
    assert stored["source"].str.startswith("Tribun Timur (13 Dec 2021)").any()


@pytest.mark.slow
def test_sample_never_overwrites_imported_data(enrollment_settings, tmp_path, monkeypatch):
    path = enrollment_settings.store_path
    file = tmp_path / "office.csv"
    file.write_text(f"{HEADER}\n73.71,2025-06,wage,400000,390000,kacab\n", encoding="utf-8")
    _, imported = import_file(enrollment_settings, file)
    original = sample.generate_sample

    def changed_model(reference, evidence, periods=PERIODS):
        out = original(reference, evidence, periods)
        out.rows.loc[0, "active_members"] -= 1
        return out

    monkeypatch.setattr(store_build, "generate_sample", changed_model)
    messages: list[str] = []
    assert build_sample_store(enrollment_settings, progress=messages.append, force=True)
    assert any("not stored over it" in m for m in messages)
    history, active = store.versions(path)
    assert active == imported.id and len(history) == 2

    store.activate(path)  # back to the sample: a changed model now stores a new sample version
    build_sample_store(enrollment_settings, progress=quiet, force=True)
    history, active = store.versions(path)
    assert len(history) == 3 and active == history[-1].id
    assert history[-1].kind == "sample" and history[-1].file_name == SAMPLE_FILE_NAME
    assert history[-1].parent == history[0].id
