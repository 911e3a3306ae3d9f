"""Worker processes for test_concurrency.py (not a test module itself).

    python -m tests.ledger.race_worker PLAN.json OUT_DIR

Sets Django up once, then forks one OS process per plan in PLAN.json; each process opens its own database
connection and runs its operations through ledger.services against the shared (committed) test database, and
writes one JSON line per operation to OUT_DIR/worker-<n>.jsonl: the operation, and either the accepted result,
the refusal (a LedgerError) or any other error. Two processes that share a key meet at a file barrier first, so
that they really race.
"""

import datetime
import json
import os
import sys
import time
import traceback
from pathlib import Path

BARRIER_TIMEOUT = 20.0


def wait_for(paths: list[Path], timeout: float = BARRIER_TIMEOUT) -> bool:
    deadline = time.monotonic() + timeout
    while not all(path.exists() for path in paths):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.0005)
    return True


def run(worker: int, plan: dict, out_dir: Path) -> None:
    from django.db import connection

    from levenlang.ledger import services
    from levenlang.ledger.errors import LedgerError
    from levenlang.ledger.models import Category, SystemAccount

    connection.ensure_connection()
    payee = SystemAccount.objects.get(pk=plan["payee"])
    (out_dir / f"connected-{worker}").touch()
    wait_for([out_dir / f"connected-{n}" for n in range(plan["workers"])])

    reserved: dict[str, str] = {}  # key of a reserve in this plan -> reservation uuid it got
    with (out_dir / f"worker-{worker}.jsonl").open("w") as out:
        for op in plan["ops"][worker]:
            if op["op"] == "barrier":  # every process waits here until all have arrived
                (out_dir / f"barrier-{op['key']}-{worker}").touch()
                if not wait_for([out_dir / f"barrier-{op['key']}-{n}" for n in range(plan["workers"])]):
                    raise RuntimeError(f"worker {worker}: not every process reached barrier {op['key']}")
                continue
            record = {"worker": worker, **op}
            if op.get("partner") is not None:  # a key shared with another process: start together
                (out_dir / f"ready-{op['key']}-{worker}").touch()
                record["met_partner"] = wait_for([out_dir / f"ready-{op['key']}-{op['partner']}"])
            reservation = op.get("reservation") or reserved.get(op.get("of", ""))
            if op["op"] in ("post", "void") and reservation is None:
                record["outcome"] = "skipped"  # the reservation it was meant for was refused
                out.write(json.dumps(record) + "\n")
                continue
            record["reservation"] = reservation
            started = time.monotonic()
            try:
                if op["op"] == "reserve":
                    result = services.reserve(
                        key=op["key"],
                        resident_id=op["resident"],
                        category=Category(op["category"]),
                        price_cents=op["price"],
                        payee=payee,
                        expires_at=datetime.datetime.fromisoformat(op["expires_at"]),
                        reference=op["key"],
                    )
                    reserved[op["key"]] = result["reservation"]
                elif op["op"] == "post":
                    result = services.post(key=op["key"], reservation_uuid=reservation, amount_cents=op["amount"])
                else:
                    result = services.void(key=op["key"], reservation_uuid=reservation)
                record.update(outcome="accepted", result=result)
            except LedgerError as exc:
                record.update(outcome="refused", error=type(exc).__name__, message=str(exc))
            except Exception as exc:  # everything else is a failure the test reports
                record.update(outcome="error", error=type(exc).__name__, message=traceback.format_exc())
                connection.close()
            record["seconds"] = round(time.monotonic() - started, 4)
            out.write(json.dumps(record) + "\n")
            out.flush()
    connection.close()


def main() -> None:
    import django

    plan_path, out_dir = Path(sys.argv[1]), Path(sys.argv[2])
    plan = json.loads(plan_path.read_text())
    django.setup()
    from django.db import connections

    connections.close_all()  # nothing may be shared across fork
    children = []
    for worker in range(plan["workers"]):
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                run(worker, plan, out_dir)
            except BaseException:
                traceback.print_exc()
                code = 1
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        children.append(pid)
    failed = 0
    for pid in children:
        _pid, status = os.waitpid(pid, 0)
        failed += os.waitstatus_to_exitcode(status) != 0
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
