"""Every column of the metrics, declared once: labels, meaning, unit, how it aggregates, how it
is exported and how it is mapped. The dataset's columns and dtypes, the export properties and
their Shapefile names, the map metrics, the tooltips, the summary and the documentation's
metric table are all derived from FIELDS.

Adding a metric is one entry here plus its computation in compute.py.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from geo_coverage.i18n import Text, format_int, format_number, format_pct
from geo_coverage.region import CODE_EXAMPLES, PERIOD_FORMAT, SEGMENT_CHOICES, SEGMENT_TERMS

LOGGER = logging.getLogger(__name__)

# unit -> (pandas dtype, JSON type, decimals kept, decimals shown to people)
UNITS = {
    "text": ("string", "string", None, None),
    "workers": ("Int64", "integer", 0, 0),
    "rank": ("Int64", "integer", 0, 0),
    "percent": ("Float64", "number", 2, 1),
    "points": ("Float64", "number", 2, 2),  # changes of a tenth of a point matter
    "score": ("Float64", "number", 1, 0),
}
AGGREGATIONS = (
    "key",
    "sum",
    "ratio",
    "weighted",
    "difference",
    "band",
    "score",
    "rank",
    "label",
)
RAMP_KINDS = ("sequential", "diverging")
CLASSIFICATION_KINDS = ("pct", "count", "gap", "change")
SHAPEFILE_NAME_MAX = 10  # dBASE field names hold at most 10 characters


@dataclass(frozen=True)
class Aggregation:
    """How an area's figure is made from its regency rows: counts are summed before dividing."""

    kind: str  # one of AGGREGATIONS
    rule: str  # the definition as the documentation states it
    numerator: str | None = None  # ratio, weighted, difference: the counts it combines
    denominator: str | None = None


@dataclass(frozen=True)
class MapSpec:
    """How a field is drawn as a map metric (?metric=…) and classified by default."""

    metric: str  # the value of ?metric=
    title: Text  # legend title and the metric menu's option
    menu: int  # position in the metric menu; the first is the default view
    kind: str  # classification: pct (around the target), count, gap (diverging), change
    ramp: str  # ColorBrewer ramp (colour-blind safe)
    ramp_kind: str  # sequential or diverging
    worst: Text  # the areas faring worst on it, for the default outline: "lowest coverage"
    centre: float | None = None  # diverging ramps split here
    start: tuple[float, float] = (0.0, 0.0)  # first fixed step: (regency, province)
    segment: str | None = None  # the one segment it is about; None: the segment chosen
    compared: Text | None = None  # the title naming a baseline period, with {base}


@dataclass(frozen=True)
class Field:
    """One column of the metrics: what it means, its unit, how it aggregates and travels."""

    key: str  # column of the metrics and property name in every export
    label: Text  # short label: tooltips, table headers
    description: Text  # one line: OpenAPI, the Shapefile README, the docs
    unit: str  # one of UNITS
    aggregation: Aggregation
    shapefile: str | None = None  # its dBASE name when exported; None: not exported
    lower_is_worse: bool | None = None  # None: neither (identity, labels)
    tooltip: int | None = None  # position in tooltips; None: not shown
    table: int | None = None  # position in the priority table; None: not shown
    map: MapSpec | None = None
    shown: int | None = None  # decimals shown to people when not the unit's

    @property
    def spec(self) -> MapSpec:
        """How it is mapped (map metrics only)."""
        if self.map is None:
            raise LookupError(f"{self.key} is not a map metric")
        return self.map

    @property
    def display_decimals(self) -> int:
        """Decimals every page, tooltip, legend and image shows the figure with (0 for text)."""
        return self.shown if self.shown is not None else UNITS[self.unit][3] or 0

    @property
    def dtype(self) -> str:
        """The pandas dtype of the column."""
        return UNITS[self.unit][0]

    @property
    def json_type(self) -> str:
        """The JSON (and OpenAPI) type of the property."""
        return UNITS[self.unit][1]

    @property
    def decimals(self) -> int | None:
        """Decimals the figure is rounded to (None for text)."""
        return UNITS[self.unit][2]

    @property
    def exported(self) -> bool:
        """Whether downloads and the OGC API carry this field."""
        return self.shapefile is not None

    @property
    def reverse_ramp(self) -> bool:
        """A diverging ramp is turned round when higher is worse, so that bad is always red."""
        return (
            self.map is not None and self.map.ramp_kind == "diverging" and not self.lower_is_worse
        )

    def format(self, value, lang: str) -> str:
        """A value as people read it: 35,0 % · 1.234 · +1,3; '–' when missing."""
        digits = self.display_decimals
        if self.unit == "percent":
            return format_pct(value, lang, digits)
        if self.unit == "points":
            return format_number(value, lang, digits, signed=True)
        if self.unit == "score":
            return format_number(value, lang, digits)
        if self.unit in ("workers", "rank"):
            return format_int(value, lang)
        return "–" if value is None else str(value)


def _key(rule: str) -> Aggregation:
    """An identity column: it names the area, period or segment."""
    return Aggregation("key", rule)


_SEGMENT_NAMES = [f"{s} ({SEGMENT_TERMS[s]})" if s in SEGMENT_TERMS else s for s in SEGMENT_CHOICES]
_SEGMENTS, _LAST_SEGMENT = ", ".join(_SEGMENT_NAMES[:-1]), _SEGMENT_NAMES[-1]

FIELDS: tuple[Field, ...] = (
    Field(
        "kode",
        Text("Kode wilayah", "Area code"),
        Text(
            f"kode wilayah Kemendagri, mis. {CODE_EXAMPLES['regency']}",
            f"Kemendagri area code, e.g. {CODE_EXAMPLES['regency']}",
        ),
        "text",
        _key(
            f"Kemendagri code as text: `{CODE_EXAMPLES['province']}` province, "
            f"`{CODE_EXAMPLES['regency']}` regency/city, `{CODE_EXAMPLES['district']}` district"
        ),
        shapefile="kode",
    ),
    Field(
        "nama",
        Text("Nama wilayah", "Area name"),
        Text("nama wilayah", "area name"),
        "text",
        _key("official name (Kemendagri 2025 population table)"),
        shapefile="nama",
    ),
    Field(
        "prov_kode",
        Text("Kode provinsi", "Province code"),
        Text("kode provinsi", "code of the province"),
        "text",
        _key("code of the area's province"),
        shapefile="prov_kode",
    ),
    Field(
        "prov_nama",
        Text("Provinsi", "Province"),
        Text("nama provinsi", "name of the province"),
        "text",
        _key("name of the area's province"),
        shapefile="prov_nama",
    ),
    Field(
        "level",
        Text("Tingkat", "Level"),
        Text(
            "tingkat wilayah: province, regency atau district",
            "area level: province, regency or district",
        ),
        "text",
        _key("`province`, `regency` or `district` (`region` for the whole region)"),
    ),
    Field(
        "period",
        Text("Periode", "Period"),
        Text(f"bulan angka tersebut, {PERIOD_FORMAT}", f"month of the figures, {PERIOD_FORMAT}"),
        "text",
        _key(f"the month the figures refer to, `{PERIOD_FORMAT}`"),
        shapefile="period",
    ),
    Field(
        "segment",
        Text("Segmen", "Segment"),
        Text(
            f"segmen pekerja: {_SEGMENTS} atau {_LAST_SEGMENT}",
            f"worker segment: {_SEGMENTS} or {_LAST_SEGMENT}",
        ),
        "text",
        _key("the segment selected; `all` sums every segment"),
        shapefile="segment",
    ),
    Field(
        "potential_workers",
        Text("Potensi pekerja", "Potential workers"),
        Text(
            "potensi pekerja: perkiraan BPJS atas pekerja yang semestinya terlindungi",
            "potensi pekerja: BPJS's estimate of the workers an area should have covered",
        ),
        "workers",
        Aggregation(
            "sum", "Σ over the selected segments (all by default; blank potentials add nothing)"
        ),
        shapefile="potential",
        tooltip=2,
    ),
    Field(
        "active_members",
        Text("Peserta aktif", "Active members"),
        Text(
            "peserta aktif: pekerja dengan kepesertaan yang iurannya dibayar",
            "peserta aktif: workers with paid-up membership",
        ),
        "workers",
        Aggregation("sum", "Σ over the selected segments"),
        shapefile="members",
        lower_is_worse=True,
        tooltip=1,
    ),
    Field(
        "coverage_pct",
        Text("Cakupan", "Coverage"),
        Text(
            "cakupan UCJ: peserta aktif ÷ potensi pekerja, %",
            "UCJ coverage: active members / potential workers, %",
        ),
        "percent",
        Aggregation(
            "ratio",
            "UCJ: 100 × Σ active members ÷ Σ potential workers",
            "active_members",
            "potential_workers",
        ),
        shapefile="cov_pct",
        lower_is_worse=True,
        tooltip=0,
        map=MapSpec(
            "coverage",
            Text("Cakupan kepesertaan (UCJ)", "Coverage (UCJ)"),
            menu=0,
            kind="pct",
            worst=Text("cakupan terendah", "lowest coverage"),
            ramp="YlGnBu",
            ramp_kind="sequential",
        ),
    ),
    Field(
        "coverage_pct_low",
        Text("Cakupan, batas bawah", "Coverage, low end"),
        Text(
            "batas bawah rentang kemungkinan cakupan yang dimodelkan (persentil ke-10 galat "
            "validasi silang), %; kosong bila angkanya dipublikasikan",
            "low end of the likely range of a modelled coverage (10th percentile of the "
            "leave-one-out errors), %; null when the figure is published",
        ),
        "percent",
        Aggregation(
            "band",
            "modelled coverage shifted by the 10th percentile of the leave-one-out errors "
            "(log-odds), narrowed to what published figures allow; null when published",
            "coverage_pct",
        ),
        shapefile="cov_low",
    ),
    Field(
        "coverage_pct_high",
        Text("Cakupan, batas atas", "Coverage, high end"),
        Text(
            "batas atas rentang kemungkinan cakupan yang dimodelkan (persentil ke-90 galat "
            "validasi silang), %; kosong bila angkanya dipublikasikan",
            "high end of the likely range of a modelled coverage (90th percentile of the "
            "leave-one-out errors), %; null when the figure is published",
        ),
        "percent",
        Aggregation(
            "band",
            "modelled coverage shifted by the 90th percentile of the leave-one-out errors "
            "(log-odds), narrowed to what published figures allow; null when published",
            "coverage_pct",
        ),
        shapefile="cov_high",
    ),
    Field(
        "wage_coverage_pct",
        Text("Cakupan penerima upah (PU)", "Coverage of wage earners (PU)"),
        Text("cakupan penerima upah (PU), %", "coverage of wage earners (PU), %"),
        "percent",
        Aggregation(
            "ratio",
            "100 × Σ active members ÷ Σ potential workers of the `wage` (PU) rows, whatever "
            "segment is selected",
            "active_members",
            "potential_workers",
        ),
        lower_is_worse=True,
        tooltip=4,
        map=MapSpec(
            "wage_coverage",
            Text("Cakupan penerima upah (PU)", "Coverage of wage earners (PU)"),
            menu=2,
            kind="pct",
            worst=Text(
                "cakupan penerima upah (PU) terendah", "lowest coverage of wage earners (PU)"
            ),
            segment="wage",
            ramp="YlGnBu",
            ramp_kind="sequential",
        ),
    ),
    Field(
        "informal_coverage_pct",
        Text("Cakupan pekerja informal (BPU)", "Coverage of informal workers (BPU)"),
        Text("cakupan pekerja informal (BPU), %", "coverage of informal workers (BPU), %"),
        "percent",
        Aggregation(
            "ratio",
            "100 × Σ active members ÷ Σ potential workers of the `informal` (BPU) rows, "
            "whatever segment is selected",
            "active_members",
            "potential_workers",
        ),
        shapefile="inf_cov",
        lower_is_worse=True,
        tooltip=3,
        table=2,
        map=MapSpec(
            "informal_coverage",
            Text("Cakupan pekerja informal (BPU)", "Coverage of informal workers (BPU)"),
            menu=1,
            kind="pct",
            worst=Text(
                "cakupan pekerja informal (BPU) terendah",
                "lowest coverage of informal workers (BPU)",
            ),
            segment="informal",
            ramp="YlGnBu",
            ramp_kind="sequential",
        ),
    ),
    Field(
        "target_pct",
        Text("Target", "Target"),
        Text(
            "target cakupan provinsi pada tahun tersebut, %",
            "coverage target of the province and year, %",
        ),
        "percent",
        Aggregation(
            "weighted",
            "the province target for the period's year; for the region "
            "Σ(target % × potential) ÷ Σ potential over the provinces",
            "target_pct",
            "potential_workers",
        ),
        shapefile="target_pct",
        tooltip=7,
        shown=2,  # targets are set to two decimals (62.93 %)
    ),
    Field(
        "target_shortfall_pct",
        Text("Kekurangan dari target", "Short of target"),
        Text(
            "bagian target cakupan yang belum tercapai, semua segmen: 100 × (1 − cakupan ÷ "
            "target), 0 bila target tercapai, %",
            "share of the coverage target not yet reached, all segments: 100 × (1 − coverage "
            "÷ target), 0 at or above the target, %",
        ),
        "percent",
        Aggregation(
            "ratio",
            "100 × max(0, 1 − (Σ members ÷ Σ potential of all segments) ÷ target %), from the "
            "exact counts, whatever segment is selected",
            "active_members",
            "potential_workers",
        ),
        shapefile="short_tgt",
        lower_is_worse=False,
        tooltip=8,
        table=3,
    ),
    Field(
        "gap_to_target",
        Text("Kesenjangan thd target", "Gap to target"),
        Text(
            "pekerja yang masih perlu didaftarkan untuk mencapai target",
            "workers still to enrol to reach the target",
        ),
        "workers",
        Aggregation(
            "difference",
            "max(0, ⌈target % × Σ potential⌉ − Σ members): workers still to enrol",
            "potential_workers",
            "active_members",
        ),
        shapefile="gap_target",
        lower_is_worse=False,
        tooltip=6,
        # Gap is 0 at or above the target: that class takes the blue side, any gap the red.
        map=MapSpec(
            "gap",
            Text("Kesenjangan terhadap target (pekerja)", "Gap to target (workers)"),
            menu=3,
            kind="gap",
            worst=Text("kesenjangan terbesar", "largest gap"),
            ramp="RdBu",
            ramp_kind="diverging",
            centre=1.0,
            start=(5_000, 50_000),
        ),
    ),
    Field(
        "uncovered_informal",
        Text("Pekerja informal (BPU) belum terlindungi", "Informal workers (BPU) not covered"),
        Text(
            "pekerja informal (BPU) tanpa kepesertaan", "informal workers (BPU) without membership"
        ),
        "workers",
        Aggregation(
            "difference",
            "max(0, Σ informal potential − Σ informal members)",
            "potential_workers",
            "active_members",
        ),
        shapefile="uncov_inf",
        lower_is_worse=False,
        tooltip=5,
        table=1,
        map=MapSpec(
            "uncovered_informal",
            Text("Pekerja informal (BPU) belum terlindungi", "Informal workers (BPU) not covered"),
            menu=4,
            kind="count",
            worst=Text(
                "pekerja informal (BPU) belum terlindungi terbanyak",
                "most informal workers (BPU) not covered",
            ),
            segment="informal",
            ramp="YlOrRd",
            ramp_kind="sequential",
            start=(5_000, 100_000),
        ),
    ),
    Field(
        "change_pp",
        Text("Perubahan", "Change"),
        Text(
            "perubahan cakupan sejak periode sebelumnya, poin persentase",
            "coverage change since the previous period, percentage points",
        ),
        "points",
        Aggregation(
            "difference",
            "coverage_pct − coverage_pct of the previous period in the data (difference "
            "of the two rounded percentages), in percentage points",
            "coverage_pct",
            "coverage_pct",
        ),
        lower_is_worse=True,
        tooltip=9,
        map=MapSpec(
            "change",
            Text(
                "Perubahan cakupan antara dua periode (poin)",
                "Coverage change between two periods (points)",
            ),
            menu=5,
            kind="change",
            worst=Text("perubahan terendah", "smallest change"),
            compared=Text(
                "Perubahan cakupan sejak {base} (poin)", "Coverage change since {base} (points)"
            ),
            ramp="BrBG",
            ramp_kind="diverging",
            centre=0.0,
            start=(1.0, 1.0),
        ),
    ),
    Field(
        "priority_score",
        Text("Skor prioritas", "Priority score"),
        Text(
            "skor prioritas sosialisasi: pekerja informal (BPU) belum terlindungi × (1 − "
            "cakupan informal) × (1 + kekurangan dari target); makin tinggi makin dahulu",
            "outreach priority score: informal workers (BPU) not covered × (1 − informal "
            "coverage) × (1 + shortfall from the target); higher goes first",
        ),
        "score",
        Aggregation(
            "score",
            "uncovered_informal × (1 − informal_coverage_pct ÷ 100, at least 0) × (1 + "
            "target_shortfall_pct ÷ 100), from the exact counts; null without informal "
            "potential and for the region (see section 4.1)",
        ),
        shapefile="prio_score",
        lower_is_worse=False,
        tooltip=10,
        table=0,
    ),
    Field(
        "priority_rank_region",
        Text("Peringkat prioritas se-wilayah", "Priority rank in the region"),
        Text(
            "peringkat skor prioritas di seluruh wilayah (kabupaten/kota di antara semua "
            "kabupaten/kota, provinsi di antara provinsi, kecamatan berangka sendiri di antara "
            "kecamatan berangka sendiri), 1 = pertama",
            "rank of the priority score across the whole region (a regency among all "
            "regencies, a province among the provinces, a district with figures of its own "
            "among such districts), 1 = first",
        ),
        "rank",
        Aggregation(
            "rank",
            "1 = highest priority_score among the level's areas of the whole region (districts: "
            "those with figures of their own); ties by kode",
        ),
        shapefile="prio_reg",
        tooltip=11,
    ),
    Field(
        "priority_rank_province",
        Text("Peringkat prioritas di provinsi", "Priority rank in the province"),
        Text(
            "peringkat skor prioritas di antara kabupaten/kota provinsinya (kecamatan: di "
            "antara kecamatan berangka sendiri di provinsinya), 1 = pertama; kosong untuk "
            "provinsi",
            "rank of the priority score among the regencies of the same province (a district: "
            "among the province's districts with figures of their own), 1 = first; null for "
            "provinces",
        ),
        "rank",
        Aggregation(
            "rank",
            "1 = highest priority_score among the regencies of the province (districts: those "
            "with figures of their own); ties by kode; null for provinces and the region",
        ),
        shapefile="prio_prov",
        tooltip=12,
    ),
    Field(
        "data_source",
        Text("Sumber data", "Data source"),
        Text(
            "published, modelled (ilustratif) atau mixed",
            "published, modelled (illustrative) or mixed",
        ),
        "text",
        Aggregation("label", "`published`, `modelled` or `mixed`, by the data_source rule"),
        shapefile="data_src",
    ),
    Field(
        "figure_level",
        Text("Tingkat angka", "Figures of"),
        Text(
            "tingkat wilayah asal angka: wilayah itu sendiri (kecamatan dengan angka yang "
            "diimpor per kecamatan), atau regency bila kecamatan membawa persentase "
            "kabupaten/kotanya (tidak ada angka untuk kecamatan itu)",
            "the level the figures belong to: the area's own (a district whose figures were "
            "imported per district), or regency where a district carries its regency's rates "
            "(no figures of its own)",
        ),
        "text",
        Aggregation(
            "label",
            "the area's own level; `district` for a district with rows of its own for every "
            "selected segment of its regency and period (summed like a regency's), else "
            "`regency`: the district carries its regency's percentages (coverage, target, "
            "change, bands) and data_source, and no counts or ranks",
        ),
        shapefile="fig_level",
    ),
)

FIELD = {f.key: f for f in FIELDS}
COLUMNS = tuple(FIELD)
IDENTITY_COLUMNS = tuple(f.key for f in FIELDS if f.aggregation.kind == "key")
METRIC_COLUMNS = tuple(f.key for f in FIELDS if f.aggregation.kind != "key")
COUNT_COLUMNS = tuple(f.key for f in FIELDS if f.aggregation.kind == "sum")
DTYPES = {f.key: f.dtype for f in FIELDS}
EXPORTED = tuple(f for f in FIELDS if f.exported)
PROPERTIES = tuple(f.key for f in EXPORTED)
SHAPEFILE_NAMES = {f.key: f.shapefile for f in EXPORTED}
MAP_METRICS = {
    f.spec.metric: f for f in sorted((f for f in FIELDS if f.map), key=lambda f: f.spec.menu)
}
TOOLTIP_FIELDS = tuple(
    sorted((f for f in FIELDS if f.tooltip is not None), key=lambda f: f.tooltip or 0)
)
TABLE_FIELDS = tuple(sorted((f for f in FIELDS if f.table is not None), key=lambda f: f.table or 0))


def map_metric(metric: str) -> Field:
    """The field a map metric (?metric=…) draws."""
    return MAP_METRICS[metric]


def metric_title(metric: str, lang: str, base: str | None = None) -> str:
    """The long name of a map metric: legend title, menu option, map title; a comparison
    names its baseline (`base`, a period as people read it) when one is given."""
    spec = MAP_METRICS[metric].spec
    if base is not None and spec.compared is not None:
        return spec.compared.get(lang).format(base=base)
    return spec.title.get(lang)


DOC_START = "<!-- metrics table: generated from geo_coverage/metrics/registry.py -->"
DOC_END = "<!-- end of the generated metrics table -->"


def markdown_table() -> str:
    """The metric table of data/README.md (between DOC_START and DOC_END), from FIELDS."""
    lines = [
        "| field | Shapefile | unit | label (id / en) | how it aggregates | meaning |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for f in FIELDS:
        decimals = {None: "", 0: ", whole numbers"}.get(f.decimals, f", {f.decimals} decimals")
        if f.display_decimals:
            decimals += f", shown with {f.display_decimals}"
        unit = f"{f.unit}{decimals}"
        shapefile = f"`{f.shapefile}`" if f.shapefile else "not exported"
        metric = f"; map `?metric={f.map.metric}`" if f.map else ""
        lines.append(
            f"| `{f.key}` | {shapefile} | {unit} | {f.label.id} / {f.label.en} | "
            f"{f.aggregation.kind}: {f.aggregation.rule} | {f.description.en}{metric} |"
        )
    return "\n".join(lines) + "\n"
