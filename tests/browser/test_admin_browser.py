"""The office's round in Debian's headless Chromium against a real waitress server in private
mode: sign in, upload a bad Excel file and see its problems, upload a good one, preview,
activate, see the map change, roll back; the imports page passes axe and hands out a province's
district template."""

from __future__ import annotations

import pytest
from harness import chromium, severe
from live_server import serve
from office_helpers import ENROLLMENT_HEADER, PASSWORD, make_app, xlsx

from geo_coverage.web.template_routes import last_month

pytest_plugins = ["enrollment_fixtures", "office_fixtures"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAP = "/?province=73&period=2025-12"
PAINTED = "html[data-painted]"


@pytest.fixture
def office_url(office_settings, accounts):
    with serve(make_app(office_settings, private=True)) as url:
        yield url


def _fill(page, kode: str) -> tuple[str, list]:
    """The fill of an area on the map and the tooltip figures the page holds for it."""
    page.wait_for_selector(PAINTED, state="attached", timeout=20_000)
    fill = page.get_attribute(f'#map path[data-kode="{kode}"]', "fill")
    config = page.evaluate("JSON.parse(document.getElementById('map-config').textContent)")
    return fill, config["data"]["areas"][kode]["values"]


def test_editor_takes_an_excel_file_to_the_live_map_and_back(office_url):
    errors: list[str] = []
    low = [  # Kota Makassar far below every class break
        ["73.71", "2025-12", "wage", 300000, 15000, "Kacab Makassar"],
        ["73.71", "2025-12", "informal", 200000, 5000, "Kacab Makassar"],
        ["73.71", "2025-12", "construction", None, 0, "Kacab Makassar"],  # replaces the sample's
    ]

    def bad_sheet(book, sheet):
        sheet["E3"] = "=D3*0.02"
        sheet.merge_cells("F2:F3")

    with chromium() as browser:
        context = browser.new_context()
        page = context.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))

        page.goto(office_url + MAP)  # private: sent to sign in, then back to the map
        assert "/login?next=" in page.url
        page.fill("input[name=username]", "editor")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        before_fill, before_values = _fill(page, "73.71")

        page.goto(office_url + "/admin/imports")
        assert severe(page) == []
        template = page.locator('a[href*="level=district"][href*="province=73"]').first
        with page.expect_download() as download:
            template.click()
        assert download.value.suggested_filename == (
            f"template_kepesertaan_{last_month()}_district_73.xlsx"
        )
        page.set_input_files(
            "input[name=file]",
            {
                "name": "juni.xlsx",
                "mimeType": XLSX,
                "buffer": xlsx([ENROLLMENT_HEADER, *low], tweak=bad_sheet),
            },
        )
        page.click("text=Periksa dan pratinjau")
        problems = page.locator("#problems tbody tr")
        assert problems.count() == 2
        assert (
            "formula" in problems.nth(1).inner_text() or "formula" in problems.nth(0).inner_text()
        )
        assert "F2:F3" in page.locator("#problems").inner_text()

        page.set_input_files(
            "input[name=file]",
            {"name": "juni.xlsx", "mimeType": XLSX, "buffer": xlsx([ENROLLMENT_HEADER, *low])},
        )
        page.click("text=Periksa dan pratinjau")
        assert "3 baris, periode 2025-12, 1 wilayah" in page.inner_text("#summary")
        assert page.locator(".change-map path").count() == 24  # Sulawesi Selatan
        row = page.locator('#largest tr[data-kode="73.71"]').inner_text()
        assert "4,00 %" in row  # 20.000 of 500.000, written the Indonesian way
        page.click("#activate")
        assert "sekarang aktif" in page.inner_text("#activated")

        page.goto(office_url + MAP)
        after_fill, after_values = _fill(page, "73.71")
        assert after_fill != before_fill and after_values != before_values
        assert "4,0" in " ".join(str(v) for v in after_values)

        page.goto(office_url + "/admin/history")
        page.locator("#enrollment-versions tbody tr").nth(1).locator("button").click()
        assert "sekarang aktif" in page.inner_text("#activated")
        page.goto(office_url + MAP)
        assert _fill(page, "73.71") == (before_fill, before_values)
        context.close()
    # the rejected upload answers 422 on purpose; nothing else may go wrong
    assert [e for e in errors if "status of 422" not in e] == []


def test_a_signed_link_draws_the_map_for_someone_not_signed_in(office_url):
    with chromium() as browser:
        editor = browser.new_page()
        editor.goto(office_url + "/login")
        editor.fill("input[name=username]", "editor")
        editor.fill("input[name=password]", PASSWORD)
        editor.click("button[type=submit]")
        editor.goto(office_url + "/admin/links")
        editor.fill("input[name=view]", office_url + "/?level=province&metric=gap")
        editor.click("text=Buat tautan")
        embed = editor.get_attribute("#embed-url", "href")
        outsider = browser.new_context()  # no cookies: a slide shown outside the office
        page = outsider.new_page()
        failed: list[str] = []
        page.on("response", lambda r: r.status >= 400 and failed.append(f"{r.status} {r.url}"))
        page.on("pageerror", lambda e: failed.append(str(e)))
        page.goto(embed)
        page.wait_for_selector(PAINTED, state="attached", timeout=20_000)
        assert page.locator("#map path[data-kode]").count() == 8
        assert failed == []
        page.goto(office_url + "/")
        assert "/login?next=" in page.url  # the rest stays closed
        outsider.close()
