"""`python -m geo_coverage.cli`: the geo-coverage command."""

from geo_coverage.cli.main import main

raise SystemExit(main())
