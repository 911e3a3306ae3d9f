"""Where the reference material lives when this checkout has it beside it (`../shared/reference/`, not part of this
repository); None when it is absent, and the tests that need it skip."""

from pathlib import Path


def _find() -> Path | None:
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "shared" / "reference"
        if (candidate / "esco-v1.1.1").is_dir():
            return candidate
    return None


REFERENCE = _find()
