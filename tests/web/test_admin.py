"""The office's workflow through the test client: upload, problems, preview, activate, discard,
roll back; targets; the API with tokens; templates; signed links."""

from __future__ import annotations

import csv
import io
import json
import re
import time
from datetime import timedelta

import pytest
from itsdangerous import URLSafeSerializer
from office_helpers import ENROLLMENT_HEADER, Browser, enrollment_rows, make_app, xlsx
from openpyxl import load_workbook
from postgres import BACKENDS

from geo_coverage.accounts import audit, links
from geo_coverage.enrollment import uploads
from geo_coverage.enrollment.backend import open_store
from geo_coverage.metrics import dataset
from geo_coverage.web import signed

pytest_plugins = ["enrollment_fixtures", "office_fixtures"]

# The import workflow runs on both back ends; the rest on the GeoPackage only.
ON_BOTH_BACKENDS = pytest.mark.parametrize("office_settings", BACKENDS, indirect=True)


def _upload(browser: Browser, data: bytes, name: str, kind: str = "enrollment"):
    """Post a file to /admin/imports."""
    return browser.post_form(
        "/admin/imports",
        "/admin/imports",
        {"kind": kind, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def _kept_segments(settings, kode: str, replaced: tuple[str, ...], period: str = "2025-12"):
    """Members and potential of the segments an import of `replaced` leaves active."""
    rows = open_store(settings).read_snapshot().rows
    rows = rows[(rows["kode"] == kode) & (rows["period"] == period)]
    rows = rows[~rows["segment"].isin(replaced)]
    return int(rows["active_members"].sum()), int(rows["potential_workers"].fillna(0).sum())


def _coverage(settings, kode: str, period: str = "2025-12") -> float:
    """The active coverage of a regency."""
    frame = dataset.load_metrics(settings, "regency", period)
    return float(frame.loc[frame["kode"] == kode, "coverage_pct"].iloc[0])


@pytest.fixture
def editor(browser) -> Browser:
    browser.login("editor")
    return browser


@ON_BOTH_BACKENDS
def test_a_bad_excel_file_lists_every_problem_and_changes_nothing(editor, office_settings):
    before = open_store(office_settings).data_version()

    def tweak(book, sheet):
        sheet["E3"] = "=D3/2"
        book.create_sheet("hidden").sheet_state = "hidden"

    rows = enrollment_rows()
    rows[2][0] = "73.99"
    resp = _upload(editor, xlsx([ENROLLMENT_HEADER, *rows], tweak=tweak), "june.xlsx")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "ditolak dengan 3 masalah" in page
    assert "E3" in page and "formula" in page
    assert "unknown regency/city code &#39;73.99&#39; of Sulawesi Selatan" in page
    assert "sheet &#39;hidden&#39; is hidden" in page
    assert open_store(office_settings).data_version() == before
    assert audit.entries(office_settings.accounts_db)[0].action == "upload_rejected"


def test_problems_are_capped_at_a_hundred_with_a_count(editor):
    rows = [["73.71", "2025-12", "wage", "x", "1", ""] for _ in range(150)]
    page = _upload(editor, xlsx([ENROLLMENT_HEADER, *rows]), "many.xlsx").get_data(as_text=True)
    assert page.count("is not a whole number") == 100
    assert "… dan 50 masalah lagi" in page


@ON_BOTH_BACKENDS
def test_upload_preview_activate_and_roll_back(editor, office_settings):
    settings = office_settings
    old = _coverage(settings, "73.71")
    kept_members, kept_potential = _kept_segments(settings, "73.71", ("wage", "informal"))
    resp = _upload(editor, xlsx([ENROLLMENT_HEADER, *enrollment_rows()]), "june.xlsx")
    assert resp.status_code == 303
    preview = editor.client.get(resp.headers["Location"])
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "3 baris, periode 2025-12, 2 wilayah; menggantikan 3 baris aktif" in page
    assert page.count("<path data-kode=") == 24  # the regencies of Sulawesi Selatan
    moved = re.search(r'<tr data-kode="73.71"><td>[^<]*</td><td>2025-12</td>(.*?)</tr>', page)
    assert moved, "73.71 is not among the largest moves"
    assert _coverage(settings, "73.71") == old  # nothing changed yet
    upload_id = resp.headers["Location"].rsplit("/", 1)[1]
    done = editor.post_form(resp.headers["Location"], f"/admin/imports/{upload_id}/activate", {})
    assert done.status_code == 303
    history = editor.client.get(done.headers["Location"]).get_data(as_text=True)
    new_version = open_store(settings).versions()[1]
    assert f"versi {new_version} sekarang aktif" in history
    assert re.search(
        rf'data-version="{new_version}" class="active">.*?editor \(127.0.0.1\)', history, re.S
    )
    expected = 100 * (150000 + kept_members) / (500000 + kept_potential)
    assert _coverage(settings, "73.71") == pytest.approx(expected, abs=0.005)
    assert editor.client.get(f"/admin/imports/{upload_id}").status_code == 404  # used up
    parent = new_version - 1
    back = editor.post_form(
        "/admin/history", "/admin/history/rollback", {"kind": "enrollment", "version": parent}
    )
    assert back.status_code == 303 and open_store(settings).versions()[1] == parent
    assert _coverage(settings, "73.71") == old
    actions = [e.action for e in audit.entries(settings.accounts_db, actor="editor")]
    assert actions[:3] == ["rollback", "import", "upload"]


@ON_BOTH_BACKENDS
def test_discard_changes_nothing(editor, office_settings):
    before = open_store(office_settings).data_version()
    resp = _upload(
        editor, ",".join(ENROLLMENT_HEADER).encode() + b"\n73.71,2025-12,wage,10,5,\n", "a.csv"
    )
    upload_id = resp.headers["Location"].rsplit("/", 1)[1]
    gone = editor.post_form("/admin/imports", f"/admin/imports/{upload_id}/discard", {})
    assert gone.status_code == 303
    assert editor.client.get(f"/admin/imports/{upload_id}").status_code == 404
    assert open_store(office_settings).data_version() == before


@ON_BOTH_BACKENDS
def test_a_preview_made_stale_by_another_activation_is_refused(editor, office_settings):
    first = _upload(editor, xlsx([ENROLLMENT_HEADER, *enrollment_rows()]), "a.xlsx")
    second = _upload(editor, xlsx([ENROLLMENT_HEADER, *enrollment_rows(members=1)]), "b.xlsx")
    for resp in (first, second):
        assert resp.status_code == 303
    one, two = (r.headers["Location"].rsplit("/", 1)[1] for r in (first, second))
    assert (
        editor.post_form("/admin/imports", f"/admin/imports/{one}/activate", {}).status_code == 303
    )
    active = open_store(office_settings).versions()[1]
    refused = editor.post_form("/admin/imports", f"/admin/imports/{two}/activate", {})
    assert refused.status_code == 409 and "changed since this preview" in refused.get_data(
        as_text=True
    )
    assert open_store(office_settings).versions()[1] == active


def test_rolling_back_to_an_unknown_version_is_a_400(editor, office_settings):
    active = open_store(office_settings).versions()[1]
    resp = editor.post_form(
        "/admin/history", "/admin/history/rollback", {"kind": "enrollment", "version": 99}
    )
    assert resp.status_code == 400 and "there is no version 99" in resp.get_data(as_text=True)
    assert open_store(office_settings).versions()[1] == active


def test_a_viewer_cannot_roll_back(browser, office_settings):
    browser.login("viewer")
    active = open_store(office_settings).versions()[1]
    resp = browser.post_form(
        "/logout", "/admin/history/rollback", {"kind": "enrollment", "version": 1}
    )
    assert resp.status_code == 403 and open_store(office_settings).versions()[1] == active


def test_an_upload_over_the_limit_is_a_413(office_settings, accounts):
    browser = Browser(make_app(office_settings, max_upload_mb=0.01).test_client())
    browser.login("editor")
    before = open_store(office_settings).data_version()
    resp = _upload(browser, b"kode,period\n" + b"x" * 20000, "big.csv")
    assert resp.status_code == 413
    assert open_store(office_settings).data_version() == before


@ON_BOTH_BACKENDS
def test_targets_import_as_versions_and_move_the_gap(editor, office_settings):
    settings = office_settings
    table = "kode;year;target_pct;source\r\n73.71;2025;75,5;Kacab Makassar plan 2025\r\n"
    resp = _upload(editor, ("\ufeff" + table).encode(), "targets.csv", kind="targets")
    page = editor.client.get(resp.headers["Location"]).get_data(as_text=True)
    assert re.search(r'data-kode="73.71">.*?2025.*?62,93 %.*?75,50 %', page, re.S)
    upload_id = resp.headers["Location"].rsplit("/", 1)[1]
    editor.post_form("/admin/imports", f"/admin/imports/{upload_id}/activate", {})
    frame = dataset.load_metrics(settings, "regency", "2025-12").set_index("kode")
    assert frame.loc["73.71", "target_pct"] == 75.5
    assert frame.loc["73.72", "target_pct"] == 62.93  # its province's
    versions, active = open_store(settings).target_versions()
    assert [v.kind for v in versions] == ["builtin", "import"] and active == versions[-1].id
    editor.post_form(
        "/admin/history", "/admin/history/rollback", {"kind": "targets", "version": versions[0].id}
    )
    assert (
        dataset.load_metrics(settings, "regency", "2025-12")
        .set_index("kode")
        .loc["73.71", "target_pct"]
        == 62.93
    )


def test_bad_targets_are_listed_by_row_and_column(editor):
    table = b"kode,year,target_pct,source\n73,2025,120,x\n99,20x5,50,\n73,2025,61,y\n"
    page = _upload(editor, table, "targets.csv", kind="targets").get_data(as_text=True)
    assert "ditolak dengan 4 masalah" in page
    for text in ("120", "not a province", "not a year", "source is blank"):
        assert text in page


def _bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@ON_BOTH_BACKENDS
def test_api_import_with_a_token(office_app, office_settings, editor_token):
    client = office_app.test_client()
    data = xlsx([ENROLLMENT_HEADER, *enrollment_rows()])
    checked = client.post("/api/imports", data=data, headers=_bearer(editor_token))
    assert checked.status_code == 200 and checked.json["status"] == "valid"
    assert checked.json["sheet"] == "data" and checked.json["rows"] == 3
    done = client.post(  # as `curl --data-binary @file` sends it
        "/api/imports?activate=1",
        data=data,
        headers=_bearer(editor_token),
        content_type="application/x-www-form-urlencoded",
    )
    assert done.status_code == 200 and done.json["status"] == "activated"
    assert done.json["version"] == open_store(office_settings).versions()[1]
    entry = audit.entries(office_settings.accounts_db)[0]
    assert (entry.actor, entry.action) == ("token:script", "import")


def test_api_refuses_bad_files_and_bad_tokens(
    office_app, office_settings, editor_token, viewer_token
):
    client = office_app.test_client()
    before = open_store(office_settings).data_version()
    bad = client.post(
        "/api/imports?activate=1",
        data=b"kode,period,segment,potential_workers,active_members\n73.71,2025-6,wage,1,x\n",
        headers=_bearer(editor_token),
    )
    assert bad.status_code == 422 and bad.json["problem_count"] == 2
    assert {(p["row"], p["column"]) for p in bad.json["problems"]} == {
        (2, "period"),
        (2, "active_members"),
    }
    assert client.post("/api/imports", data=b"x").status_code == 401
    assert client.post("/api/imports", data=b"x", headers=_bearer("gct_nope")).status_code == 401
    assert client.post("/api/imports", data=b"x", headers=_bearer(viewer_token)).status_code == 403
    big = client.post(
        "/api/imports",
        data=b"x" * (office_settings.max_upload_bytes + 1),
        headers=_bearer(editor_token),
    )
    assert big.status_code == 413
    assert open_store(office_settings).data_version() == before


def test_api_takes_no_basic_credentials(office_app, editor_token):
    client = office_app.test_client()
    resp = client.post("/api/imports", data=b"kode\n", auth=("token", editor_token))
    assert resp.status_code == 401  # a browser may replay Basic credentials by itself
    assert client.get("/ogc/collections", auth=("token", editor_token)).status_code == 200


def test_api_takes_no_session_cookie(browser):
    browser.login("editor")
    resp = browser.client.post("/api/imports", data=b"kode\n")
    assert resp.status_code == 401  # a cookie alone could be sent by another site's form


def test_excel_template_has_every_regency_lists_and_text_codes(office_app):
    resp = office_app.test_client().get("/download/template.xlsx?period=2026-01")
    assert resp.status_code == 200
    book = load_workbook(io.BytesIO(resp.data))
    assert book.sheetnames == ["data", "keterangan"]
    sheet = book["data"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("kode", "nama", "period", "segment") and len(rows) == 1 + 102 * 4
    assert {r[2] for r in rows[1:]} == {"2026-01"} and rows[1][4] is None
    assert sheet["A2"].data_type == "s" and sheet["A2"].number_format == "@"
    lists = {str(v.sqref).split(":")[0]: v.formula1 for v in sheet.data_validations.dataValidation}
    assert lists["D2"] == '"wage,informal,construction,migrant"'
    assert lists["C2"].startswith('"2026-01,2025-12,')
    notes = [r[0] for r in book["keterangan"].iter_rows(values_only=True)]
    assert {"kode", "period", "segment", "potential_workers", "active_members"} <= set(notes)


def test_a_filled_template_validates(office_app, editor_token):
    client = office_app.test_client()
    book = load_workbook(io.BytesIO(client.get("/download/template.xlsx?period=2026-01").data))
    sheet = book["data"]
    for row in sheet.iter_rows(min_row=2):
        row[4].value, row[5].value = 1000, 400
    out = io.BytesIO()
    book.save(out)
    resp = client.post("/api/imports", data=out.getvalue(), headers=_bearer(editor_token))
    assert resp.status_code == 200 and resp.json["rows"] == 408 and resp.json["warnings"] == []
    csv = client.get("/download/template.csv?period=2026-01")
    assert csv.data.startswith(b"\xef\xbb\xbfkode,nama,period,segment,")
    assert client.get("/download/template.csv?period=2026-13").status_code == 400


def test_a_province_district_template_filled_in_sums_into_its_regencies(office_app, editor_token):
    client = office_app.test_client()
    resp = client.get("/download/template.xlsx?period=2026-01&level=district&province=75")
    assert resp.status_code == 200
    assert "template_kepesertaan_2026-01_district_75.xlsx" in resp.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(resp.data))
    rows = list(book["data"].iter_rows(min_row=2))
    areas = open_store(office_app.config["SETTINGS"]).read_areas()
    districts = areas[(areas["level"] == "district") & (areas["prov_kode"] == "75")]
    assert len(rows) == 4 * len(districts) and len(districts) > 50
    assert {r[0].value for r in rows} == set(districts["kode"])
    named = {r[0].value: r[1].value for r in rows}
    assert named["75.71.01"].endswith(", Kota Gorontalo")  # a district named with its regency
    for row in rows:
        row[4].value, row[5].value = 1000, 400
    out = io.BytesIO()
    book.save(out)
    imported = client.post(
        "/api/imports?activate=1", data=out.getvalue(), headers=_bearer(editor_token)
    )
    assert imported.status_code == 200, imported.json
    table = client.get("/download/regency.csv?period=2026-01&segment=wage").data.decode("utf-8-sig")
    by_kode = {row["kode"]: row for row in csv.DictReader(io.StringIO(table))}
    in_kota = (districts["kode"].str[:5] == "75.71").sum()
    assert float(by_kode["75.71"]["active_members"]) == 400 * in_kota


@pytest.mark.parametrize(
    ("query", "named"),
    [("level=province", "level"), ("level=district&province=31", "province")],
)
def test_a_template_of_a_level_or_province_it_cannot_have_is_a_400(office_app, query, named):
    resp = office_app.test_client().get(f"/download/template.csv?{query}")
    assert resp.status_code == 400 and named in resp.get_data(as_text=True)


def test_a_template_request_lists_every_bad_parameter(office_app):
    resp = office_app.test_client().get(
        "/download/template.csv?period=2025-13&level=village&province=31"
    )
    message = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert all(value in message for value in ("2025-13", "village", "31"))


def test_the_imports_page_offers_a_district_template_per_province(browser):
    browser.login("editor")
    page = browser.client.get("/admin/imports").get_data(as_text=True)
    links = re.findall(r'href="(/download/template\.xlsx\?[^"]*level=district[^"]*)"', page)
    assert len(links) == 8 and any("province=73" in link for link in links)
    assert browser.client.get(links[0].replace("&amp;", "&")).status_code == 200


def test_signed_links_open_in_private_mode_until_they_expire(office_settings, accounts):
    app = make_app(office_settings, private=True)
    browser = Browser(app.test_client())
    browser.login("editor")
    made = browser.post_form(
        "/admin/links",
        "/admin/links",
        {"view": "http://x/?level=province&metric=gap", "expires": signed.today().isoformat()},
    )
    embed = re.search(r'id="embed-url">http://localhost([^<]+)', made.get_data(as_text=True)).group(
        1
    )
    outsider = app.test_client()
    page = outsider.get(embed)
    assert (
        page.status_code == 200 and "frame-ancestors *" in page.headers["Content-Security-Policy"]
    )
    assert page.headers["Cache-Control"] == "private, max-age=300"
    for url in re.findall(r'(?:src|href)="(/s/[^"]+)"', page.get_data(as_text=True)):
        assert outsider.get(url).status_code == 200, url
    assert outsider.get(embed.replace("/embed", "/map.png")).mimetype == "image/png"
    for image, mimetype in (("svg", "image/svg+xml"), ("pdf", "application/pdf")):
        url = re.search(rf'href="http://localhost([^"]+)" id="{image}-url"', made.text).group(1)
        assert url == embed.replace("/embed", f"/map.{image}")
        drawn = outsider.get(url)
        assert drawn.status_code == 200 and drawn.mimetype == mimetype, url
        assert drawn.headers["Cache-Control"] == "private, max-age=300"
    assert outsider.get(embed.replace("/embed", "/map.gif")).status_code == 404
    assert outsider.get("/").status_code == 302  # the rest stays closed
    token = embed.split("/")[2]
    forged = outsider.get(f"/s/{token[:-3]}abc/embed")
    assert forged.status_code == 403 and "not valid" in forged.get_data(as_text=True)
    yesterday = (signed.today() - timedelta(days=1)).isoformat()
    record = links.add_link(office_settings.accounts_db, "level=province", yesterday, "editor")
    key = (office_settings.instance / "secret_key").read_bytes().strip()
    old = URLSafeSerializer(key, salt=signed.SALT).dumps(
        {"i": record.id, "q": record.query, "e": yesterday}
    )
    expired = outsider.get(f"/s/{old}/embed")
    assert expired.status_code == 410 and "expired" in expired.get_data(as_text=True)
    listed = browser.client.get("/admin/links").get_data(as_text=True)
    link_id = re.search(r'<tr data-link="(\d+)">', listed).group(1)
    revoked = browser.post_form("/admin/links", f"/admin/links/{link_id}/revoke", {})
    assert revoked.status_code == 303
    withdrawn = outsider.get(embed)
    assert withdrawn.status_code == 403 and "withdrawn" in withdrawn.get_data(as_text=True)
    assert outsider.get(embed.replace("/embed", "/map.png")).status_code == 403
    assert outsider.get(embed.replace("/embed", "/map.pdf")).status_code == 403
    assert [e.action for e in audit.entries(office_settings.accounts_db)][:2] == [
        "link_revoke",
        "link_create",
    ]


def test_a_signed_link_to_a_province_loads_its_detail_under_the_link(office_settings, accounts):
    app = make_app(office_settings, private=True)
    browser = Browser(app.test_client())
    browser.login("editor")
    made = browser.post_form(
        "/admin/links",
        "/admin/links",
        {"view": "http://x/?province=73", "expires": signed.today().isoformat()},
    )
    embed = re.search(r'id="embed-url">http://localhost([^<]+)', made.get_data(as_text=True)).group(
        1
    )
    outsider = app.test_client()
    page = outsider.get(embed).get_data(as_text=True)
    token = embed.split("/")[2]
    detail = f"/s/{token}/geometry/73.topojson"
    config = json.loads(re.search(r'id="map-config"[^>]*>(.*?)</script>', page, re.S).group(1))
    assert config["detail"] == {"73": detail}
    assert f'<link rel="preload" href="{detail}"' in page  # the first paint's only geometry
    topology = json.loads(outsider.get(detail).data)
    assert {g["id"][:3] for g in topology["objects"]["districts"]["geometries"]} == {"73."}
    assert outsider.get(f"/s/{token}/geometry/74.topojson").status_code == 404


def test_signed_links_need_a_valid_view_and_date(editor):
    bad_view = editor.post_form(
        "/admin/links", "/admin/links", {"view": "metric=nope", "expires": "2030-01-01"}
    )
    assert bad_view.status_code == 400 and "metric" in bad_view.get_data(as_text=True)
    too_late = (signed.max_expiry() + timedelta(days=1)).isoformat()
    late = editor.post_form("/admin/links", "/admin/links", {"view": "", "expires": too_late})
    assert late.status_code == 400 and "at most 366 days" in late.get_data(as_text=True)


def test_admin_pages_speak_english_when_asked(editor):
    page = editor.client.get("/admin/imports?lang=en").get_data(as_text=True)
    assert "Upload a file" in page and 'action="/admin/imports?lang=en"' in page
    history = editor.client.get("/admin/history?lang=en").get_data(as_text=True)
    assert "Enrollment versions" in history and "Target versions" in history


@ON_BOTH_BACKENDS
def test_uploads_left_for_a_day_are_forgotten(editor, office_settings):
    resp = _upload(editor, xlsx([ENROLLMENT_HEADER, *enrollment_rows()]), "a.xlsx")
    assert resp.status_code == 303 and len(uploads.list_staged(office_settings)) == 1
    uploads.discard_stale(office_settings, now=time.time() + 2 * 86400)
    assert uploads.list_staged(office_settings) == []
