"""Runs every benchmark in bench/ (files named bench_*.py) against a database of its own, `levenlang_bench` (or
the one LEVENLANG_BENCH_DB names), on the same server as the platform (DATABASE_URL, or the embedded PostgreSQL).
Usage:

    make bench N=1000000        # or: .venv/bin/python bench/run.py --n 1000000 [--only pages]

Each benchmark module has `run(n: int, report: Report) -> None` and reports its figures through `report`,
which prints one line per figure beside the ceiling it is compared with.
"""

import argparse
import importlib.util
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


class Report:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def __call__(
        self,
        name: str,
        value: float,
        unit: str,
        *,
        ceiling_name: str,
        ceiling: float,
        target: str = "",
        higher_is_better: bool = False,
    ) -> None:
        """Print one figure. `ratio` is how far the figure is from the ceiling: value/ceiling for rates
        (higher is better), ceiling/value for times."""
        ratio = (value / ceiling if higher_is_better else ceiling / value) if value and ceiling else float("nan")
        line = f"{name}: {value:,.2f} {unit} | ceiling ({ceiling_name}): {ceiling:,.2f} {unit} | ratio {ratio:.2f}" + (
            f" | target {target}" if target else ""
        )
        self.lines.append(line)
        print(line, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=10_000, help="size (residents) for the benchmarks")
    parser.add_argument("--only", default="", help="run only benchmarks whose file name contains this")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "levenlang.conf.settings.dev")
    # LEVENLANG_BENCH_DB gives a run a database of its own (two benchmark runs must not share one).
    os.environ["LEVENLANG_DB_NAME"] = os.environ.get("LEVENLANG_BENCH_DB", "levenlang_bench")
    _ensure_bench_database()

    import django
    from django.core.management import call_command

    django.setup()
    from levenlang.core.dbroles import as_owner

    call_command("migrate", verbosity=0)

    report = Report()
    started = time.perf_counter()
    # As the owner role (DATABASE_OWNER_URL, or the embedded server's): between measurements the benchmarks create,
    # empty and vacuum tables. The privileges of a role do not change what a statement costs.
    with as_owner():
        for path in sorted((ROOT / "bench").glob("bench_*.py")):
            if args.only and args.only not in path.stem:
                continue
            print(f"== {path.stem} (n={args.n:,})", flush=True)
            spec = importlib.util.spec_from_file_location(path.stem, path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            module.run(args.n, report)
    print(f"== {len(report.lines)} figures in {time.perf_counter() - started:.1f} s")


def _ensure_bench_database() -> None:
    """With DATABASE_URL the bench database may not exist yet; the embedded path creates it by itself."""
    url = os.environ.get("DATABASE_OWNER_URL") or os.environ.get("DATABASE_URL")
    if not url:
        return
    import psycopg

    from levenlang.core.database import ensure_database

    with psycopg.connect(url, autocommit=True) as conn:
        ensure_database(conn, os.environ["LEVENLANG_DB_NAME"])


if __name__ == "__main__":
    main()
