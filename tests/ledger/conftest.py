import datetime

import pytest

from levenlang.ledger import services
from levenlang.ledger.clock import FixedClock
from levenlang.ledger.models import SystemAccount


@pytest.fixture
def clock():
    return FixedClock(datetime.datetime(2026, 3, 1, 12, 0, tzinfo=datetime.UTC))


@pytest.fixture
def budget(db):
    return services.system_account(SystemAccount.Kind.BUDGET, "Leerrechten 2026", scheme="leerrechten", year=2026)


@pytest.fixture
def employer_account(db):
    return services.system_account(SystemAccount.Kind.EMPLOYER, "Werkgever test", scheme="werkgever-test")


@pytest.fixture
def payee(db):
    return services.system_account(SystemAccount.Kind.PROVIDER_PAYABLE, "Opleider test", scheme="opleider-test")
