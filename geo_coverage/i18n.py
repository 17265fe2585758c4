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
    # --- sign-in and administration (/login, /admin) ---
    "auth.title": ("Masuk", "Sign in"),
    "auth.username": ("Nama pengguna", "User name"),
    "auth.password": ("Kata sandi", "Password"),
    "auth.submit": ("Masuk", "Sign in"),
    "auth.private_note": (
        "Layanan ini privat: masuk untuk melihat peta dan data.",
        "This service is private: sign in to see the maps and data.",
    ),
    "auth.failed": ("Nama pengguna atau kata sandi salah.", "Wrong user name or password."),
    "auth.limited": (
        "Terlalu banyak percobaan gagal. Coba lagi dalam {seconds} detik.",
        "Too many failed sign-ins. Try again in {seconds} seconds.",
    ),
    "auth.bad_session": (
        "Sesi Anda tidak valid lagi (kedaluwarsa atau diubah); silakan masuk kembali.",
        "Your session is no longer valid (expired or altered); please sign in again.",
    ),
    "auth.csrf": (
        "Formulir ini kedaluwarsa atau tidak berasal dari situs ini ({reason}). Muat ulang "
        "halaman lalu coba lagi; tidak ada yang diubah.",
        "This form has expired or did not come from this site ({reason}). Reload the page and "
        "try again; nothing was changed.",
    ),
    "auth.logout": ("Keluar", "Sign out"),
    "auth.logout_question": ("Keluar dari geo_coverage?", "Sign out of geo_coverage?"),
    "auth.signed_in_as": ("Masuk sebagai {name} ({role})", "Signed in as {name} ({role})"),
    "admin.imports": ("Impor data", "Import data"),
    "admin.history": ("Riwayat versi", "Version history"),
    "admin.links": ("Tautan bertanda", "Signed links"),
    "admin.audit": ("Log audit", "Audit log"),
    "admin.map": ("Peta", "Map"),
    "admin.upload_title": ("Unggah berkas", "Upload a file"),
    "admin.upload_help": (
        "CSV (UTF-8, pemisah , ; atau tab) atau Excel .xlsx (lembar pertama atau lembar "
        "bernama data), paling besar {size} MB. Belum ada yang berubah sampai Anda menekan "
        "Aktifkan pada pratinjau.",
        "CSV (UTF-8, separated by , ; or tab) or Excel .xlsx (the first sheet or a sheet named "
        "data), at most {size} MB. Nothing changes until you press Activate on the preview.",
    ),
    "admin.kind": ("Jenis data", "Kind of data"),
    "admin.kind.enrollment": ("Angka kepesertaan", "Enrollment figures"),
    "admin.kind.targets": ("Target cakupan", "Coverage targets"),
    "admin.file": ("Berkas", "File"),
    "admin.check": ("Periksa dan pratinjau", "Check and preview"),
    "admin.templates": ("Templat kosong", "Blank templates"),
    "admin.template_help": (
        "Semua kode dan nama kabupaten/kota, segmen, dan kolom angka kosong untuk satu bulan.",
        "Every regency/city code and name, the segments and empty number columns for one month.",
    ),
    "admin.no_file": ("Pilih berkas untuk diunggah.", "Choose a file to upload."),
    "admin.rejected": (
        "{file} ditolak dengan {count} masalah; tidak ada yang diubah.",
        "{file} was rejected with {count} problem(s); nothing was changed.",
    ),
    "admin.more_problems": ("… dan {count} masalah lagi.", "… and {count} more problem(s)."),
    "admin.row": ("Baris", "Row"),
    "admin.column": ("Kolom", "Column"),
    "admin.cell": ("Sel", "Cell"),
    "admin.problem": ("Masalah", "Problem"),
    "admin.pending": ("Menunggu aktivasi", "Waiting for activation"),
    "admin.none": ("Tidak ada.", "None."),
    "admin.preview_title": ("Pratinjau: {file}", "Preview: {file}"),
    "admin.summary": (
        "{rows} baris, periode {periods}, {areas} wilayah; menggantikan {replaced} baris aktif.",
        "{rows} rows, periods {periods}, {areas} areas; replaces {replaced} active rows.",
    ),
    "admin.target_summary": (
        "{rows} target, tahun {years}, {areas} wilayah.",
        "{rows} targets, years {years}, {areas} areas.",
    ),
    "admin.warnings": ("Peringatan", "Warnings"),
    "admin.largest": ("Perubahan cakupan terbesar", "Largest moves in coverage"),
    "admin.before": ("Sebelum", "Before"),
    "admin.after": ("Sesudah", "After"),
    "admin.change": ("Perubahan (poin)", "Change (points)"),
    "admin.new_areas": ("Wilayah dan periode baru", "New areas and periods"),
    "admin.missing": ("Wilayah tanpa angka setelah impor", "Areas without figures after import"),
    "admin.change_map": ("Perubahan cakupan, {period}", "Coverage change, {period}"),
    "admin.map_new": ("baru", "new"),
    "admin.map_unchanged": ("tidak berubah", "unchanged"),
    "admin.map_untouched": ("tidak ada di berkas", "not in the file"),
    "admin.target_changes": ("Target yang berubah atau baru", "Targets new or changed"),
    "admin.stale": (
        "Data aktif berubah sejak berkas ini diunggah; unggah ulang untuk pratinjau terbaru.",
        "The active data changed since this file was uploaded; upload it again for a current "
        "preview.",
    ),
    "admin.activate": ("Aktifkan", "Activate"),
    "admin.discard": ("Buang", "Discard"),
    "admin.activated": (
        "{kind}: versi {version} sekarang aktif.",
        "{kind}: version {version} is now active.",
    ),
    "admin.enrollment_versions": ("Versi angka kepesertaan", "Enrollment versions"),
    "admin.target_versions": ("Versi target", "Target versions"),
    "admin.version": ("Versi", "Version"),
    "admin.time": ("Waktu (UTC)", "Time (UTC)"),
    "admin.rows": ("Baris", "Rows"),
    "admin.by": ("Oleh", "By"),
    "admin.active": ("aktif", "active"),
    "admin.rollback": ("Aktifkan kembali", "Re-activate"),
    "admin.link_view": (
        "Tampilan peta (tempel URL peta atau query-nya)",
        "Map view (paste the map's URL or its query)",
    ),
    "admin.link_expires": ("Berlaku sampai (WITA)", "Valid until (WITA)"),
    "admin.link_create": ("Buat tautan", "Create the link"),
    "admin.link_help": (
        "Tautan bertanda membuka satu tampilan peta (sematan dan PNG) tanpa masuk, juga dalam "
        "mode privat, sampai akhir tanggal yang dipilih.",
        "A signed link opens one map view (embed and PNG) without sign-in, also in private "
        "mode, until the end of the chosen day.",
    ),
    "admin.link_embed": ("Sematan", "Embed"),
    "admin.link_png": ("Gambar PNG", "PNG image"),
    "admin.link_iframe": ("Kode iframe", "iframe code"),
    "admin.links_active": ("Tautan yang masih berlaku", "Links not yet expired"),
    "admin.link_revoke": ("Cabut", "Revoke"),
    "admin.link_revoked": ("dicabut", "revoked"),
    "admin.audit_who": ("Siapa", "Who"),
    "admin.audit_what": ("Apa", "What"),
    "admin.audit_where": ("Dari", "From"),
    "admin.filter": ("Saring", "Filter"),
    # --- end of sign-in and administration ---
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
