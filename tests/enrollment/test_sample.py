"""The modelled sample: deterministic, complete, and equal to every published figure it claims."""

from __future__ import annotations

import pandas as pd
import pytest
from enrollment_helpers import HEADER, quiet

from geo_coverage.enrollment import build as store_build
from geo_coverage.enrollment import sample, store
from geo_coverage.enrollment.build import SAMPLE_FILE_NAME, build_sample_store
from geo_coverage.enrollment.importer import import_file
from geo_coverage.enrollment.sample import PERIODS, allocate, generate_sample
from geo_coverage.metrics import dataset
from geo_coverage.sources.published import read_published, with_figures

pytest_plugins = ["enrollment_fixtures"]

PUBLISHED = read_published()


@pytest.fixture(scope="module")
def sample_rows(reference):
    return generate_sample(reference, PUBLISHED)


@pytest.fixture(scope="module")
def figures(sample_store_template):
    """Metrics of the sample at every level and period (all segments)."""
    s = sample_store_template
    return {
        "regency": dataset.load_all_metrics(s, "regency"),
        "province": dataset.load_all_metrics(s, "province"),
        "region": pd.DataFrame([dataset.region_metrics(s, p) for p in PERIODS]),
    }


def at(frame: pd.DataFrame, kode: str, period: str) -> pd.Series:
    return frame[(frame["kode"] == kode) & (frame["period"] == period)].iloc[0]


def test_sample_is_deterministic_and_complete(reference, sample_rows):
    again = generate_sample(reference, PUBLISHED)
    assert again.equals(sample_rows)
    regencies = {a.kode for a in reference.regencies()}
    assert len(regencies) == 102
    keys = set(zip(sample_rows["kode"], sample_rows["period"], sample_rows["segment"], strict=True))
    assert keys == {(k, p, s) for k in regencies for p in PERIODS for s in ("wage", "informal")}
    assert (sample_rows["data_source"] == "modelled").all()
    assert (sample_rows["active_members"] <= sample_rows["potential_workers"]).all()
    assert (sample_rows["active_members"] >= 0).all()
    assert sample_rows["source"].str.startswith(sample.SOURCE_NOTE).all()


def test_every_published_figure_in_the_sample_periods_is_reproduced(figures):
    checked = 0
    for pub in with_figures(PUBLISHED).itertuples():
        if pub.period not in PERIODS:
            continue
        got = at(figures[pub.level], pub.kode, pub.period)
        if pub.active_members is not pd.NA:
            assert got["active_members"] == pub.active_members, pub
        if pub.potential_workers is not pd.NA:
            assert got["potential_workers"] == pub.potential_workers, pub
        counts_published = pub.active_members is not pd.NA and pub.potential_workers is not pd.NA
        if pub.coverage_pct is not pd.NA and not counts_published:
            assert round(float(got["coverage_pct"]), int(pub.coverage_decimals)) == float(
                pub.coverage_pct
            ), pub
        checked += 1
    # 7 provinces + region in Dec 2021, Sulawesi Selatan twice, Sulawesi Utara Dec 2025, and
    # five regencies in Dec 2025
    assert checked == 8 + 2 + 1 + 5


def test_published_province_and_region_totals(figures):
    prov = figures["province"]
    assert tuple(at(prov, "71", "2021-12")[["active_members", "potential_workers"]]) == (
        623_409,
        780_666,
    )
    assert tuple(at(prov, "73", "2025-06")[["active_members", "potential_workers"]]) == (
        1_327_000,
        2_801_936,
    )
    assert tuple(at(prov, "73", "2024-08")[["active_members", "potential_workers"]]) == (
        1_200_000,
        2_800_000,
    )
    region = figures["region"].set_index("period")
    assert (
        region.loc["2021-12", "active_members"],
        region.loc["2021-12", "potential_workers"],
    ) == (2_900_000, 7_200_000)
    # Sulawesi Barat is the region total minus the seven published provinces
    assert tuple(at(prov, "76", "2021-12")[["active_members", "potential_workers"]]) == (
        154_490,
        393_625,
    )
    # the 2025 target of 62.93 % is 1,763,259 workers in the source
    sulsel = at(prov, "73", "2025-06")
    assert sulsel["target_pct"] == 62.93
    assert sulsel["gap_to_target"] + sulsel["active_members"] == 1_763_259


def test_data_source_labels_of_the_sample(figures):
    prov = figures["province"].set_index(["kode", "period"])["data_source"]
    published = {
        ("71", "2021-12"),
        ("72", "2021-12"),
        ("73", "2021-12"),
        ("74", "2021-12"),
        ("75", "2021-12"),
        ("81", "2021-12"),
        ("82", "2021-12"),
        ("73", "2024-08"),
        ("73", "2025-06"),
        ("71", "2025-12"),
    }
    assert {k for k, v in prov.items() if v == "published"} == published
    assert {v for k, v in prov.items() if k not in published} == {"modelled"}
    region = figures["region"].set_index("period")["data_source"].to_dict()
    assert region == {
        "2021-12": "published",
        "2024-08": "mixed",
        "2025-06": "mixed",
        "2025-12": "mixed",
    }
    reg = figures["regency"]
    mixed = reg[reg["data_source"] == "mixed"]
    assert set(zip(mixed["kode"], mixed["period"], strict=True)) == {
        (k, "2025-12") for k in ("71.01", "71.04", "71.07", "71.11", "71.71")
    }
    assert set(reg["data_source"]) == {"modelled", "mixed"}


def ranking(figures, prov: str, period: str) -> list[str]:
    reg = figures["regency"]
    part = reg[(reg["prov_kode"] == prov) & (reg["period"] == period)]
    return part.sort_values("coverage_pct", ascending=False)["kode"].tolist()


@pytest.mark.parametrize("period", ["2021-12", "2024-08"])
def test_sulawesi_selatan_follows_the_published_ranking(figures, period):
    order = ranking(figures, "73", period)
    assert set(order[:3]) == {"73.17", "73.16", "73.01"}  # Luwu, Enrekang, Kepulauan Selayar
    assert set(order[-3:]) == {"73.06", "73.05", "73.04"}  # Gowa, Takalar, Jeneponto
    if period == "2024-08":
        reg = figures["regency"]
        top = reg[reg["kode"].isin(order[:3]) & (reg["period"] == period)]
        assert (top["coverage_pct"] > 60).all()
        part = reg[(reg["prov_kode"] == "73") & (reg["period"] == period)]
        assert part.sort_values("change_pp")["kode"].iloc[-1] == "73.71"  # Makassar fastest


def test_toraja_and_makassar_lead_sulawesi_selatan_in_mid_2025(figures):
    assert set(ranking(figures, "73", "2025-06")[:2]) == {"73.18", "73.71"}


def test_sulawesi_utara_december_2025(figures):
    order = ranking(figures, "71", "2025-12")
    assert order[0] == "71.04"  # Kepulauan Talaud highest
    assert "71.73" in order[-5:]  # Tomohon among the five lowest
    assert order[:5] == ["71.04", "71.11", "71.01", "71.07", "71.71"]


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


def test_sample_never_overwrites_imported_data(enrollment_settings, tmp_path, monkeypatch):
    path = enrollment_settings.store_path
    file = tmp_path / "office.csv"
    file.write_text(f"{HEADER}\n73.71,2025-06,wage,400000,390000,kacab\n", encoding="utf-8")
    _, imported = import_file(enrollment_settings, file)
    original = sample.generate_sample

    def changed_model(reference, published, periods=PERIODS):
        rows = original(reference, published, periods)
        rows.loc[0, "active_members"] -= 1
        return rows

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
