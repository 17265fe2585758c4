"""Reading the view data a map page inlines (shared by the page tests)."""

from __future__ import annotations

import json
import re


def map_config(page: str) -> dict:
    """The view data inlined in a map page."""
    found = re.search(
        r'<script id="map-config" type="application/json">(.*?)</script>', page, re.DOTALL
    )
    assert found, "no inline map config"
    return json.loads(found.group(1))
