"""Interface text in Bahasa Indonesia (default) and English, and number formats per language."""

from __future__ import annotations

import logging
import math

LOGGER = logging.getLogger(__name__)

LANGS = ("id", "en")
DEFAULT_LANG = "id"

_MONTHS = {
    "id": (
        "Januari",
        "Februari",
        "Maret",
        "April",
        "Mei",
        "Juni",
        "Juli",
        "Agustus",
        "September",
        "Oktober",
        "November",
        "Desember",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}

# key: (Indonesian, English); {name} placeholders are filled by text().
STRINGS: dict[str, tuple[str, str]] = {
    "app_title": (
        "Cakupan jaminan sosial pekerja — Sulawesi–Maluku",
        "Worker social-insurance coverage — Sulawesi–Maluku",
    ),
    "region": ("Sulawesi–Maluku", "Sulawesi–Maluku"),
    "level": ("Tingkat", "Level"),
    "level.province": ("Provinsi", "Provinces"),
    "level.regency": ("Kabupaten/kota", "Regencies and cities"),
    "metric": ("Indikator", "Indicator"),
    "metric.coverage": ("Cakupan kepesertaan (UCJ)", "Coverage (UCJ)"),
    "metric.informal_coverage": (
        "Cakupan pekerja informal (BPU)",
        "Informal-worker coverage (BPU)",
    ),
    "metric.wage_coverage": ("Cakupan penerima upah (PU)", "Wage-earner coverage (PU)"),
    "metric.gap": ("Kesenjangan terhadap target (pekerja)", "Gap to target (workers)"),
    "metric.uncovered_informal": (
        "Pekerja informal belum terlindungi",
        "Uncovered informal workers",
    ),
    "metric.change": (
        "Perubahan cakupan sejak periode sebelumnya (poin)",
        "Coverage change since the previous period (points)",
    ),
    "segment": ("Segmen", "Segment"),
    "segment.all": ("Semua segmen", "All segments"),
    "segment.wage": ("Penerima upah (PU)", "Wage earners (PU)"),
    "segment.informal": ("Bukan penerima upah (BPU)", "Informal workers (BPU)"),
    "segment.construction": ("Jasa konstruksi (Jakon)", "Construction (Jakon)"),
    "segment.migrant": ("Pekerja migran (PMI)", "Migrant workers (PMI)"),
    "period": ("Periode", "Period"),
    "scheme": ("Klasifikasi", "Classification"),
    "scheme.target": ("Batas tetap sekitar target", "Fixed breaks around the target"),
    "scheme.quantiles": ("Kuantil", "Quantiles"),
    "scheme.equal_interval": ("Interval sama", "Equal interval"),
    "scheme.natural_breaks": ("Natural breaks (Fisher–Jenks)", "Natural breaks (Fisher–Jenks)"),
    "k": ("Jumlah kelas", "Number of classes"),
    "threshold": ("Ambang cakupan rendah (%)", "Low-coverage threshold (%)"),
    "threshold_hint": ("kosong = target tiap provinsi", "empty = each province's target"),
    "apply": ("Terapkan", "Apply"),
    "no_data": ("Tidak ada data", "No data"),
    "below_target": ("Di bawah target", "Below target"),
    "below_threshold": ("Di bawah {value}", "Below {value}"),
    "low_outline": (
        "garis tebal = cakupan di bawah target provinsinya",
        "bold outline = coverage below its province's target",
    ),
    "breaks_target": (
        "batas kelas di sekitar target {target}",
        "class breaks around the target of {target}",
    ),
    "target_reached": ("target tercapai", "target reached"),
    "low_outline_threshold": (
        "garis tebal = cakupan di bawah {value}",
        "bold outline = coverage below {value}",
    ),
    "priorities": ("Prioritas sosialisasi", "Outreach priorities"),
    "priority_marker": ("angka = peringkat prioritas", "number = priority rank"),
    "area": ("Wilayah", "Area"),
    "field.coverage": ("Cakupan", "Coverage"),
    "field.active_members": ("Peserta aktif", "Active members"),
    "field.potential_workers": ("Potensi pekerja", "Potential workers"),
    "field.informal_coverage": ("Cakupan informal", "Informal coverage"),
    "field.wage_coverage": ("Cakupan penerima upah", "Wage-earner coverage"),
    "field.uncovered_informal": ("Informal belum terlindungi", "Uncovered informal"),
    "field.gap": ("Kesenjangan thd target", "Gap to target"),
    "field.target": ("Target", "Target"),
    "field.change": ("Perubahan", "Change"),
    "field.priority_rank": ("Peringkat prioritas", "Priority rank"),
    "modelled": ("ilustratif (dimodelkan)", "illustrative (modelled)"),
    "mixed": ("sebagian ilustratif (dimodelkan)", "partly illustrative (modelled)"),
    "illustrative_note": (
        "Data ilustratif: sebagian angka dimodelkan dari beberapa angka yang dipublikasikan.",
        "Illustrative data: some figures are modelled from a few published numbers.",
    ),
    "source_line": (
        "Sumber: data kepesertaan versi {version} (angka BPJS Ketenagakerjaan yang dimuat pers "
        "dan model); batas wilayah: cahyadsn/wilayah_boundaries (MIT)",
        "Source: enrollment data version {version} (BPJS Ketenagakerjaan figures reported in "
        "the press, and a model); boundaries: cahyadsn/wilayah_boundaries (MIT)",
    ),
    "title": ("{metric} · {level} · {period}", "{metric} · {level} · {period}"),
    "title_province": ("{metric} · {province} · {period}", "{metric} · {province} · {period}"),
    "back_to_region": ("← Kembali ke seluruh wilayah", "← Back to the whole region"),
    "drill_hint": (
        "Klik provinsi untuk melihat kabupaten/kotanya.",
        "Click a province to see its regencies.",
    ),
    "copy_embed": ("Salin kode sematan", "Copy embed code"),
    "copied": ("Tersalin", "Copied"),
    "download_png": ("Unduh PNG", "Download PNG"),
    "download_data": ("Unduh data", "Download data"),
    "open_full_map": ("Buka peta lengkap", "Open the full map"),
    "language": ("English", "Bahasa Indonesia"),
    "loading": ("Memuat peta…", "Loading the map…"),
    "load_failed": ("Peta gagal dimuat.", "The map failed to load."),
    "invalid_param": (
        "Parameter '{name}' tidak valid: '{value}'. Nilai yang valid: {valid}.",
        "Invalid parameter '{name}': '{value}'. Valid values: {valid}.",
    ),
    "invalid_number": (
        "Parameter '{name}' tidak valid: '{value}'. Harus angka antara {low} dan {high}.",
        "Invalid parameter '{name}': '{value}'. It must be a number from {low} to {high}.",
    ),
}


def text(key: str, lang: str, **values) -> str:
    """The interface text for key in lang, with {placeholders} filled."""
    pair = STRINGS[key]
    template = pair[1] if lang == "en" else pair[0]
    return template.format(**values) if values else template


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


def format_period(period: str, lang: str) -> str:
    """'2025-12' as 'Desember 2025' (id) or 'December 2025' (en)."""
    year, month = period.split("-")
    return f"{_MONTHS['en' if lang == 'en' else 'id'][int(month) - 1]} {year}"
