"""Fiscal effect of deposits in a learning account, for each party: gross, tax effect and net cost.

Employer deposit. Treated as a reimbursement of training costs under the targeted exemption (gerichte vrijstelling)
of art. 31a lid 2 onderdeel a Wet LB 1964 up to a yearly limit per employee (a policy choice of this platform: the
money is earmarked for learning by the account, so up to the limit it counts as training). Above the limit the employer
may designate the excess as final-levy wage (eindheffingsloon) under the werkkostenregeling: first the employer's
remaining free space (vrije ruimte, no tax), then the 80% final levy on what is left, paid by the employer. In every
branch the employee receives the full deposit tax-free: the final levy is the employer's tax, not the employee's.

Own deposit. The old deduction of study costs (aftrek scholingsuitgaven) ended on 1 January 2022; this platform
proposes a deduction of own deposits up to a yearly maximum, at the person's marginal box-1 rate but at most a capped
rate (the first-bracket rate), as the mortgage interest deduction is capped. Tax credits (heffingskortingen) are left
out: the effect shown is the deduction times the rate."""

import numpy as np
from openfisca_core.periods import DateUnit
from openfisca_core.variables import Variable

from levenlang_rules.entities import Person


class box1_marginal_rate(Variable):
    value_type = float
    entity = Person
    definition_period = DateUnit.YEAR
    label = "Marginal box-1 rate (tax and national insurance) on the person's yearly wage"
    reference = "https://wetten.overheid.nl/BWBR0011353/"

    def formula(person, period, parameters):
        p = parameters(period).fiscal.box1
        wage = person("yearly_wage", period)
        first = np.where(person("below_aow_age", period), p.rate_1, p.rate_1_aow_age)
        return np.select([wage <= p.bracket_1_upper, wage <= p.bracket_2_upper], [first, p.rate_2], p.rate_3)


# Employer deposit


class employer_deposit_exempt(Variable):
    value_type = float
    entity = Person
    definition_period = DateUnit.YEAR
    label = "Part of the employer deposit under the targeted exemption for training (euros)"

    def formula(person, period, parameters):
        limit = parameters(period).fiscal.employer_deposit.exempt_limit
        return np.minimum(person("employer_deposit", period), limit)


class employer_deposit_within_exempt_limit(Variable):
    value_type = bool
    entity = Person
    definition_period = DateUnit.YEAR
    label = "The whole employer deposit falls under the targeted exemption"

    def formula(person, period, parameters):
        return person("employer_deposit", period) <= parameters(period).fiscal.employer_deposit.exempt_limit


class employer_deposit_in_free_space(Variable):
    value_type = float
    entity = Person
    definition_period = DateUnit.YEAR
    label = "Part of the deposit above the exemption that fits in the employer's remaining WKR free space (euros)"

    def formula(person, period, parameters):
        above = person("employer_deposit", period) - person("employer_deposit_exempt", period)
        return np.minimum(above, np.maximum(person("employer_wkr_free_space_left", period), 0))


class employer_deposit_final_levy_base(Variable):
    value_type = float
    entity = Person
    definition_period = DateUnit.YEAR
    label = "Part of the deposit above the exemption and the free space, taxed with the final levy (euros)"

    def formula(person, period, parameters):
        return (
            person("employer_deposit", period)
            - person("employer_deposit_exempt", period)
            - person("employer_deposit_in_free_space", period)
        )


class employer_deposit_final_levy(Variable):
    value_type = float
    entity = Person
    definition_period = DateUnit.YEAR
    label = "Final levy (eindheffing) the employer pays on the deposit (euros): the employer's tax effect"

    def formula(person, period, parameters):
        rate = parameters(period).fiscal.employer_deposit.final_levy_rate
        return person("employer_deposit_final_levy_base", period) * rate


class employer_deposit_net_cost(Variable):
    value_type = float
    entity = Person
    definition_period = DateUnit.YEAR
    label = "What the deposit costs the employer: the deposit plus the final levy (euros, before profit tax)"

    def formula(person, period, parameters):
        return person("employer_deposit", period) + person("employer_deposit_final_levy", period)


class employee_deposit_net_benefit(Variable):
    value_type = float
    entity = Person
    definition_period = DateUnit.YEAR
    label = "What the employee receives net from the employer deposit (euros): all of it, tax-free"

    def formula(person, period, parameters):
        return person("employer_deposit", period)


class employee_deposit_tax_saved_vs_wage(Variable):
    value_type = float
    entity = Person
    definition_period = DateUnit.YEAR
    label = "Tax the employee would have paid on the same amount as wage, at the marginal box-1 rate (euros)"

    def formula(person, period, parameters):
        return person("employer_deposit", period) * person("box1_marginal_rate", period)


# Own deposit


class own_deposit_deduction(Variable):
    value_type = float
    entity = Person
    definition_period = DateUnit.YEAR
    label = "Deductible part of the own deposit: up to the yearly maximum and never more than the income (euros)"

    def formula(person, period, parameters):
        most = parameters(period).fiscal.own_deposit.max_deduction
        income = np.maximum(person("yearly_wage", period), 0)
        return np.minimum(np.minimum(person("own_deposit", period), most), income)


class own_deposit_deduction_rate(Variable):
    value_type = float
    entity = Person
    definition_period = DateUnit.YEAR
    label = "Rate at which the own deposit is deducted: the marginal box-1 rate, at most the capped rate"

    def formula(person, period, parameters):
        cap = parameters(period).fiscal.own_deposit.max_rate
        return np.minimum(person("box1_marginal_rate", period), cap)


class own_deposit_tax_effect(Variable):
    value_type = float
    entity = Person
    definition_period = DateUnit.YEAR
    label = "Income tax the person gets back for the own deposit (euros)"

    def formula(person, period, parameters):
        return person("own_deposit_deduction", period) * person("own_deposit_deduction_rate", period)


class own_deposit_net_cost(Variable):
    value_type = float
    entity = Person
    definition_period = DateUnit.YEAR
    label = "What the own deposit costs the person after the tax refund (euros)"

    def formula(person, period, parameters):
        return person("own_deposit", period) - person("own_deposit_tax_effect", period)
