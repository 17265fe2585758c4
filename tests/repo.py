"""Where the repository's own files are, for tests that read them."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
