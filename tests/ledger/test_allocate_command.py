"""`manage.py allocate`: a file with one bad row changes nothing and reports every bad row."""

import pytest
from django.core.management import CommandError, call_command

from levenlang.ledger.models import Journal, Pot
from levenlang.ledger.reconcile import reconcile

pytestmark = pytest.mark.django_db


def write(tmp_path, lines):
    path = tmp_path / "rights.csv"
    path.write_text("resident,pot_kind,amount_cents,scheme,year\n" + "".join(f"{line}\n" for line in lines))
    return path


def test_a_good_file_credits_everyone_and_a_rerun_credits_nobody_twice(tmp_path, resident, other_resident, capsys):
    path = write(
        tmp_path,
        [f"{resident.uuid},rights,100000,leerrechten,2026", f"{other_resident.uuid},rights,50000,leerrechten,2026"],
    )
    call_command("allocate", file=path, run_key="r")
    call_command("allocate", file=path, run_key="r")
    call_command("allocate", file=path, run_key="other-key")
    assert sorted(Pot.objects.values_list("posted_cents", flat=True)) == [50_000, 100_000]
    assert "0 credited now, 0 before this run, 2 refused" in capsys.readouterr().out
    assert reconcile() == []


def test_one_bad_row_changes_nothing_and_every_bad_row_is_reported(tmp_path, resident, capsys):
    path = write(
        tmp_path,
        [
            f"{resident.uuid},rights,100000,leerrechten,2026",
            "00000000-0000-0000-0000-000000000000,rights,100,leerrechten,2026",
            f"{resident.uuid},gift,12.50,leerrechten,2026",
        ],
    )
    with pytest.raises(CommandError, match="2 bad rows"):
        call_command("allocate", file=path, run_key="r")
    err = capsys.readouterr().err
    assert "line 3: unknown resident" in err
    assert "line 4: pot_kind must be one of" in err and "whole number of cents" in err
    assert not Journal.objects.exists() and not Pot.objects.exists()
