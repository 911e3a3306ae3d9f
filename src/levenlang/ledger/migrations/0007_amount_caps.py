"""Ceilings on amounts (docs/ledger.md, "Ceilings on deposits").

- `AmountCap`: the ceilings a deposit must stay under, as rows the ledger reads, with their default figures and
  reasons below (the reasons are stored with each row too).
- Every amount column of the ledger stays within ±(2^53 - 1) cents (core.money.MAX_CENTS): the largest integer a
  browser reads exactly from JSON. Far above any ceiling; it makes a rounded amount impossible, not just unlikely.
"""

from django.db import migrations, models

EUR = 100  # cents per euro

# (rule, pot kind, euros, reason). The figures come from the rules' parameters (src/levenlang_rules/parameters/).
DEFAULT_CAPS = [
    (
        "per_deposit",
        "employer",
        2_500,
        "fiscal/employer_deposit/exempt_limit: an employer may deposit EUR 2,500 per employee per year under the "
        "exemption for training; one deposit is never more than a whole year's.",
    ),
    (
        "per_deposit",
        "sector_fund",
        2_500,
        "A sector fund spends its employers' training levy: the same limit as an employer's (fiscal/employer_deposit/"
        "exempt_limit), and the largest cheque of the sector and regional schemes in the register.",
    ),
    (
        "per_deposit",
        "region",
        2_500,
        "The largest cheque of the regional schemes in the register (schemes/twents_fonds_vakmanschap/max_cheque).",
    ),
    (
        "per_deposit",
        "own",
        2_500,
        "fiscal/own_deposit/max_deduction: a person can deduct EUR 2,500 of own deposits a year. Money beyond that "
        "gains nothing by passing through the Leerrekening; an own share above it is paid to the provider directly.",
    ),
    (
        "per_source_per_year",
        "employer",
        2_500,
        "fiscal/employer_deposit/exempt_limit: EUR 2,500 per employee per calendar year; above it a deposit looks "
        "more like wage than like training.",
    ),
    (
        "per_source_per_year",
        "sector_fund",
        2_500,
        "The same yearly limit as an employer's: a fund deposits on behalf of its employers.",
    ),
    (
        "account_total",
        "",
        18_000,
        "The highest learning-rights ceiling (learning_rights/cap/low_education, EUR 8,000) plus one year's most of "
        "each of the four deposit sources (4 x EUR 2,500): a full account can still take every source's yearly "
        "deposit once, and nothing more piles up.",
    ),
]


def add_defaults(apps, schema_editor):
    AmountCap = apps.get_model("ledger", "AmountCap")
    for rule, pot_kind, euros, reason in DEFAULT_CAPS:
        AmountCap.objects.update_or_create(
            rule=rule, pot_kind=pot_kind, defaults={"max_cents": euros * EUR, "reason": reason}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0006_journal_chain"),
    ]

    operations = [
        migrations.CreateModel(
            name="AmountCap",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "rule",
                    models.CharField(
                        choices=[
                            ("per_deposit", "One deposit"),
                            ("per_source_per_year", "All deposits of one source for one person in a calendar year"),
                            ("account_total", "The whole Leerrekening after a deposit"),
                        ],
                        max_length=30,
                    ),
                ),
                (
                    "pot_kind",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("rights", "Learning rights"),
                            ("employer", "From your employer"),
                            ("sector_fund", "From your sector fund"),
                            ("region", "From your region"),
                            ("own", "Own money"),
                        ],
                        help_text="Which deposits; empty for the account total.",
                        max_length=20,
                    ),
                ),
                ("max_cents", models.BigIntegerField()),
                ("reason", models.TextField(help_text="Why this figure: where it comes from in the rules.")),
            ],
        ),
        migrations.AddConstraint(
            model_name="cap",
            constraint=models.CheckConstraint(
                condition=models.Q(("max_cents__lte", 9007199254740991)), name="cap_within_max"
            ),
        ),
        migrations.AddConstraint(
            model_name="leg",
            constraint=models.CheckConstraint(
                condition=models.Q(("amount_cents__lte", 9007199254740991), ("amount_cents__gte", -9007199254740991)),
                name="leg_within_max",
            ),
        ),
        migrations.AddConstraint(
            model_name="ownpayment",
            constraint=models.CheckConstraint(
                condition=models.Q(("amount_cents__lte", 9007199254740991)), name="own_payment_within_max"
            ),
        ),
        migrations.AddConstraint(
            model_name="pot",
            constraint=models.CheckConstraint(
                condition=models.Q(("posted_cents__lte", 9007199254740991)), name="pot_posted_within_max"
            ),
        ),
        migrations.AddConstraint(
            model_name="reservation",
            constraint=models.CheckConstraint(
                condition=models.Q(("price_cents__lte", 9007199254740991)), name="reservation_price_within_max"
            ),
        ),
        migrations.AddConstraint(
            model_name="reservationpart",
            constraint=models.CheckConstraint(
                condition=models.Q(("amount_cents__lte", 9007199254740991)), name="reservation_part_within_max"
            ),
        ),
        migrations.AddConstraint(
            model_name="amountcap",
            constraint=models.UniqueConstraint(fields=("rule", "pot_kind"), name="amount_cap_one_per_rule_and_kind"),
        ),
        migrations.AddConstraint(
            model_name="amountcap",
            constraint=models.CheckConstraint(condition=models.Q(("max_cents__gt", 0)), name="amount_cap_positive"),
        ),
        migrations.AddConstraint(
            model_name="amountcap",
            constraint=models.CheckConstraint(
                condition=models.Q(("max_cents__lte", 9007199254740991)), name="amount_cap_within_max"
            ),
        ),
        migrations.AddConstraint(
            model_name="amountcap",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("pot_kind", ""), ("rule", "account_total")),
                    models.Q(
                        models.Q(("rule", "account_total"), _negated=True), models.Q(("pot_kind", ""), _negated=True)
                    ),
                    _connector="OR",
                ),
                name="amount_cap_kind_fits_rule",
            ),
        ),
        migrations.RunPython(add_defaults, migrations.RunPython.noop),
    ]
