"""Collects the OpenFisca YAML tests in this folder as pytest items, with OpenFisca's own YAML test runner."""

from openfisca_core.tools.test_runner import YamlFile

from levenlang_rules import tax_benefit_system


def pytest_collect_file(parent, file_path):
    if file_path.suffix == ".yaml":
        return YamlFile.from_parent(parent, path=file_path, tax_benefit_system=tax_benefit_system(), options={})
    return None
