"""The README documents the set-up commands, every setting and every route."""

import re

from repo import REPO_ROOT

from geo_coverage import create_app
from geo_coverage.config import ENVIRONMENT

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")


def _setup_commands() -> list[str]:
    section = README.split("## Set up", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.*?)\n```", section, re.DOTALL)


def test_exactly_two_setup_commands_and_ci_runs_the_second():
    commands = _setup_commands()
    assert len(commands) == 2
    assert all("\n" not in c for c in commands)
    assert "geo-coverage serve" in commands[0]
    ci = (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()
    assert ci[-1] == commands[1]


def test_every_setting_is_documented():
    for variable in ENVIRONMENT.values():
        assert f"`{variable}`" in README, variable


def test_every_route_is_documented(tmp_path):
    app = create_app({"instance": tmp_path, "shapes": tmp_path})
    documented = set(re.findall(r"^\| `(/[^`]*)`", README, re.MULTILINE))
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        route = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        assert route in documented, f"route {route} is not in the README's routes table"


def test_every_download_format_says_where_to_use_it():
    from geo_coverage.gis import downloads

    section = README.split("### Which file to use where", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| .+? \| (.+) \|$", section, re.MULTILINE)
    advised = {m for row in rows for m in re.findall(r"`([\w.]+)(?:\?[^`]*)?`", row)}
    assert advised >= set(downloads.FORMATS) | set(downloads.STYLES)
