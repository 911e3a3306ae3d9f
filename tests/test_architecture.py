"""The layering of the apps, checked on the source: every module under src/levenlang is read with `ast` (nothing is
imported), and each of its imports of another app must (a) go through that app's door and (b) point down the
layers, never up; a name taken from a module with `__all__` must be in it. A failure names the module, the line and
the import, and says which rule it breaks."""

import ast
import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"

# The allowed directions, as one table: the layers, lowest first. An app may import the apps of lower layers (and
# its own modules), never an app of its own layer or a higher one. `conf` (and levenlang/cli.py) wire everything
# together and may import anything; `levenlang_rules` (the OpenFisca rules) is a package of its own and imports
# nothing of levenlang.
LAYERS: list[set[str]] = [
    {"core"},  # 0: money, identifiers, regions, roles, audit, permissions, errors, categories: used by everyone
    {"residents", "employers"},  # 1: the people and organisations
    {"ledger"},  # 2: the Leerrekening; money moves only here
    {"catalog"},  # 3: providers and modules; search shows what the pots would pay
    {"enrolment", "schemes"},  # 4: bookings (catalogue + ledger); schemes, navigator, yearly allocation
    {"skills"},  # 5: the ESCO taxonomy, skills profiles; reads completions (enrolment) and prices (schemes)
    {"accounts", "portal"},  # 6: login; home pages
    {"demo"},  # 7: demo data and personas, on top of everything
]
LAYER = {app: n for n, apps in enumerate(LAYERS) for app in apps}
OUTSIDE = {"conf", "cli"}  # the settings and URLs, and the command-line entry point: they wire everything

# Another app is reached through its door: `services` (a module, or the ledger's package) and its errors. The
# base layer, core, is open to everyone (its modules mark private names with an underscore).
DOORS = {"services", "errors"}

# Imports of another app's other modules that are allowed anyway, each with the reason. (importer, imported):
# the importer is a module or a package prefix (ending in "."), the imported a module name.
ALLOWED: dict[tuple[str, str], str] = {
    ("levenlang.demo.", "*.models"): "the demo writes every app's demo data directly (bulk rows, COPY)",
}


def _modules() -> list[tuple[str, Path]]:
    found = []
    for path in sorted((SRC / "levenlang").rglob("*.py")):
        parts = path.relative_to(SRC).with_suffix("").parts
        if "migrations" in parts:
            continue  # frozen history; they name models by their app label
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found.append((name, path))
    return found


def _app(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "levenlang" else None


def _imports(module: str, path: Path):
    """(line, imported module, imported name or None, the name it is bound to) for every import in the file, also
    inside functions."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, None, alias.asname
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                yield node.lineno, base, alias.name, alias.asname or alias.name


def _exported(module: str) -> set[str] | None:
    """The module's `__all__` (a literal list), or None when it has none."""
    parts = module.split(".")
    path = SRC.joinpath(*parts).with_suffix(".py")
    if not path.exists():
        path = SRC.joinpath(*parts, "__init__.py")
    if not path.exists():
        return None
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__all__" for t in node.targets):
            return set(ast.literal_eval(node.value))
    return None


def _allowed(importer: str, imported: str) -> bool:
    for (who, what), _reason in ALLOWED.items():
        who_matches = importer.startswith(who) if who.endswith(".") else importer == who
        if what.startswith("*."):
            what_matches = imported.startswith("levenlang.") and imported.endswith(what[1:])
        else:
            what_matches = imported == what
        if who_matches and what_matches:
            return True
    return False


def _private_attributes(path: Path, foreign: dict[str, str]):
    """`door._name` where `door` is a name bound to another app's module."""
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in foreign
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
        ):
            yield node.lineno, f"{foreign[node.value.id]}.{node.attr}"


def violations() -> list[str]:
    found = []
    for module, path in _modules():
        app = _app(module)
        where = f"{path.relative_to(SRC.parent)}"
        foreign_names: dict[str, str] = {}
        for line, imported, name, bound in _imports(module, path):
            if imported.split(".")[0] != "levenlang":
                continue
            target_app = _app(imported)
            # `from levenlang.ledger import services`: the imported module is levenlang.ledger.services
            if name is not None and imported.count(".") == 1 and target_app is not None:
                target = f"{imported}.{name}"
                symbol = None
            else:
                target, symbol = imported, name
            if target_app is None or target_app == app or app in OUTSIDE:
                continue
            if target_app not in LAYER or app not in LAYER:
                found.append(f"{where}:{line}: {target} — an app missing from LAYERS")
                continue
            if LAYER[target_app] >= LAYER[app]:
                found.append(
                    f"{where}:{line}: {target} — {app} (layer {LAYER[app]}) may not import {target_app} "
                    f"(layer {LAYER[target_app]})"
                )
            if symbol is not None and symbol.startswith("_"):
                found.append(f"{where}:{line}: {target}.{symbol} — a private name of another app")
            elif symbol is not None and symbol not in (_exported(target) or {symbol}):
                found.append(f"{where}:{line}: {target}.{symbol} — not in the __all__ of {target}")
            door = target.split(".")[2] if target.count(".") >= 2 else None
            is_door = door in DOORS and target.count(".") == 2
            if target_app != "core" and not is_door and not _allowed(module, target):
                found.append(f"{where}:{line}: {target} — not the door of {target_app} (only its services and errors)")
            if bound is not None and symbol is None:
                foreign_names[bound] = target
        for line, attribute in _private_attributes(path, foreign_names):
            found.append(f"{where}:{line}: {attribute} — a private name of another app")
    for path in sorted((SRC / "levenlang_rules").rglob("*.py")):
        for line, imported, _name, _bound in _imports("levenlang_rules", path):
            if imported.split(".")[0] == "levenlang":
                found.append(
                    f"{path.relative_to(SRC.parent)}:{line}: {imported} — the rules import nothing of levenlang"
                )
    return found


def test_every_app_is_in_exactly_one_layer():
    apps = {p.parent.name for p in (SRC / "levenlang").glob("*/apps.py")} | OUTSIDE
    assert apps - OUTSIDE == set(LAYER), "add new apps to LAYERS"


def _documented_layers() -> list[set[str]]:
    """The layer table of docs/architecture.md ("| 0 | `core` | ... |"), lowest first."""
    text = (SRC.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    section = text.split("## The apps, as layers", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| (\d+) \| ([^|]+) \|", section, flags=re.MULTILINE)
    assert [int(number) for number, _apps in rows] == list(range(len(rows))), "layers numbered 0, 1, 2, ... in order"
    return [set(re.findall(r"`(\w+)`", apps)) for _number, apps in rows]


def test_the_layer_table_in_docs_architecture_md_is_the_one_this_test_enforces():
    assert _documented_layers() == LAYERS


def test_apps_reach_each_other_only_through_their_doors_and_downwards():
    assert violations() == []


@pytest.mark.parametrize(
    ("importer", "source", "broken"),
    [
        ("levenlang.core.api", "from levenlang.ledger.errors import LedgerError", "layer"),
        ("levenlang.catalog.views", "from levenlang.ledger.models import Pot", "door"),
        ("levenlang.enrolment.services", "from levenlang.ledger import services as ledger\nledger._Stored", "private"),
        ("levenlang.enrolment.views", "from levenlang.ledger.services.commands import reserve", "door"),
        ("levenlang.schemes.services", "from levenlang.ledger.services import _Command", "private"),
        ("levenlang.schemes.services", "from levenlang.core.errors import DomainErr", "exported"),
    ],
)
def test_the_check_catches_what_it_is_meant_to(tmp_path, monkeypatch, importer, source, broken):
    package = tmp_path / "levenlang"
    *parents, leaf = importer.split(".")[1:]
    folder = package.joinpath(*parents)
    folder.mkdir(parents=True)
    (folder / f"{leaf}.py").write_text(source + "\n")
    (tmp_path / "levenlang_rules").mkdir()
    monkeypatch.setitem(globals(), "SRC", tmp_path)
    core = tmp_path / "levenlang" / "core"
    core.mkdir(exist_ok=True)
    (core / "errors.py").write_text('__all__ = ["DomainError"]\n')
    (found,) = violations()
    expected = {"layer": "may not import", "door": "not the door", "private": "private name", "exported": "__all__"}
    assert expected[broken] in found
