"""/sources ("Sumber angka"): every published figure with its source and flags, filterable by
area with ?kode= (a plain form: it works without script)."""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, render_template, request, url_for

from geo_coverage.i18n import DEFAULT_LANG, LANGS, text
from geo_coverage.web import assets, keys
from geo_coverage.web.http import cached_response

LOGGER = logging.getLogger(__name__)

bp = Blueprint("sources", __name__)

MAX_AGE = 60
STYLESHEET = "sources.css"


def _lang() -> str:
    """The page's language (400 for an unknown one, as on the map pages)."""
    from geo_coverage.errors import invalid_choice

    lang = request.args.get("lang") or DEFAULT_LANG
    if lang not in LANGS:
        raise invalid_choice("lang", lang, LANGS, DEFAULT_LANG)
    return lang


@bp.get("/sources")
def sources():
    """The published figures (all, or an area's and its regencies' with ?kode=)."""
    from geo_coverage.maps.sources_page import check_kode, sources_page
    from geo_coverage.maps.view import places
    from geo_coverage.metrics import dataset

    settings = current_app.config["SETTINGS"]
    lang = _lang()
    found = places(settings)
    kode = check_kode(request.args.get("kode"), found, settings.region, lang)

    def render() -> bytes:
        page = sources_page(dataset.evidence(settings), found, settings.region, kode, lang)
        other = "id" if lang == "en" else "en"
        return render_template(
            "sources.html",
            page=page,
            lang=lang,
            t=lambda key, **kw: text(key, lang, **kw),
            stylesheet=url_for(
                "pages.asset", filename=STYLESHEET, v=assets.find(STYLESHEET).version
            ),
            map_url=url_for("pages.browse", lang=None if lang == DEFAULT_LANG else lang),
            other_lang=other,
            switch_url=url_for(
                "sources.sources", kode=kode, lang=None if other == DEFAULT_LANG else other
            ),
        ).encode("utf-8")

    return cached_response(
        keys.key("sources", request.script_root, lang, kode or ""),
        render,
        "text/html",
        max_age=MAX_AGE,
        last_modified=keys.versions().modified,
    )
