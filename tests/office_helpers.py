"""Helpers for the accounts, admin and API tests (plain functions; fixtures are in
office_fixtures)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from geo_coverage import create_app
from geo_coverage.config import Settings

PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def make_app(settings: Settings, **overrides):
    """The app over some settings, without a basemap."""
    values = {
        "instance": settings.instance,
        "shapes": settings.shapes,
        "mirror": settings.mirror,
        "tiles": "none",
        "database_url": settings.database_url,
    }
    return create_app(values | overrides)


def csrf_of(page: str) -> str:
    """The CSRF token of the first form of a page."""
    found = CSRF.search(page)
    assert found, "the page has no CSRF token"
    return found.group(1)


@dataclass
class Browser:
    """A test client that signs in through /login and posts forms with their CSRF token."""

    client: object

    def login(self, name: str, password: str = PASSWORD, **extra):
        """Post the sign-in form."""
        token = csrf_of(self.client.get("/login").get_data(as_text=True))
        data = {"username": name, "password": password, "csrf_token": token, **extra}
        return self.client.post("/login", data=data)

    def post_form(self, page: str, action: str, data: dict, **kwargs):
        """Post to action with the CSRF token of page."""
        token = csrf_of(self.client.get(page).get_data(as_text=True))
        return self.client.post(action, data={"csrf_token": token, **data}, **kwargs)


def xlsx(rows: list[list], title: str = "data", tweak=None) -> bytes:
    """An Excel workbook with rows on one sheet; tweak(book, sheet) may change it first."""
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    if tweak is not None:
        tweak(book, sheet)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


ENROLLMENT_HEADER = ["kode", "period", "segment", "potential_workers", "active_members", "source"]


def enrollment_rows(period: str = "2025-12", members: int = 90000) -> list[list]:
    """Valid rows for two regencies of Sulawesi Selatan (as text, like a CSV export)."""
    return [
        ["73.71", period, "wage", "300000", str(members), "Kacab Makassar"],
        ["73.71", period, "informal", "200000", "60000", "Kacab Makassar"],
        ["73.10", period, "wage", "50000", "20000", None],
    ]
