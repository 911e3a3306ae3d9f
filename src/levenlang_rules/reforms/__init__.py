"""Reforms for what-if simulation: a changed copy of the rules, never the live rules themselves. A reform is an
OpenFisca Reform; `parametric` builds one from parameter changes that the ministry enters on the what-if page."""

import datetime
from collections.abc import Mapping

from openfisca_core.parameters import Parameter, ParameterNode
from openfisca_core.reforms import Reform

from levenlang_rules import tax_benefit_system


class ReformError(ValueError):
    pass


def parameter(node: ParameterNode, path: str) -> Parameter:
    """The leaf parameter at a dotted path such as 'learning_rights.yearly_base'."""
    found = node
    for part in path.split("."):
        found = found.children.get(part) if isinstance(found, ParameterNode) else None
        if found is None:
            raise ReformError(f"There is no parameter '{path}'.")
    if not isinstance(found, Parameter):
        raise ReformError(f"'{path}' is a group of parameters; choose one of its numbers.")
    return found


def numeric_parameters(prefix: str = "learning_rights") -> list[tuple[str, str]]:
    """(path, description) of every number a parametric reform may change, for the what-if form."""
    return _leaves(tax_benefit_system().parameters.children[prefix], prefix)


def _leaves(node: ParameterNode, prefix: str) -> list[tuple[str, str]]:
    found = []
    for name, child in node.children.items():
        path = f"{prefix}.{name}"
        if isinstance(child, Parameter):
            found.append((path, (child.description or path).strip()))
        else:
            found.extend(_leaves(child, path))
    return found


def parametric(changes: Mapping[str, float], start: datetime.date, name: str = "") -> type[Reform]:
    """A reform that sets each parameter in `changes` (dotted path → value) from `start` on."""
    baseline = tax_benefit_system().parameters
    for path in changes:
        parameter(baseline, path)  # fail early, with the path in the message

    class ParametricReform(Reform):
        def apply(self) -> None:
            def modify(parameters: ParameterNode) -> ParameterNode:
                for path, value in changes.items():
                    parameter(parameters, path).update(start=start.isoformat(), value=float(value))
                return parameters

            self.modify_parameters(modifier_function=modify)

    ParametricReform.name = name or ", ".join(f"{path} = {value}" for path, value in changes.items())
    return ParametricReform


def more_rights_low_qualified(start: datetime.date = datetime.date(2027, 1, 1)) -> type[Reform]:
    """Example: EUR 300 more a year for people up to NLQF 2 (EUR 1,100 in all with the base in 2027)."""
    return parametric(
        {"learning_rights.little_public_education.low": 600}, start, name="More rights for NLQF 2 and lower"
    )


def earlier_mid_career(start: datetime.date = datetime.date(2027, 1, 1)) -> type[Reform]:
    """Example: the mid-career supplement from 40 instead of 45."""
    return parametric({"learning_rights.mid_career.from_age": 40}, start, name="Mid-career supplement from 40")


NAMED = {"more_rights_low_qualified": more_rights_low_qualified, "earlier_mid_career": earlier_mid_career}
