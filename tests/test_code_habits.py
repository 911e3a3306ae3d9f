"""Habits of the code base that a linter does not check: functions stay short enough to read, and the
pre-commit hooks run the same tool versions as `make test`."""

import ast
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
MAX_FUNCTION_LINES = 70

# Functions allowed to be longer for now, each with the reason; shrink this list, do not grow it.
LONG_FUNCTIONS = {
    "src/levenlang/demo/population.py::PopulationGenerator.people": (
        "a hot loop over up to millions of residents: its locals are bound for speed, and the order of its "
        "random draws is what makes the demo population the same for the same seed; split with a benchmark run"
    ),
}


def _functions(path: Path):
    """(qualified name, number of lines) of every function and method in the file, nested ones too."""

    def visit(node, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                name = f"{prefix}{child.name}"
                if not isinstance(child, ast.ClassDef):
                    yield name, child.end_lineno - child.lineno + 1
                yield from visit(child, f"{name}.")
            else:
                yield from visit(child, prefix)

    yield from visit(ast.parse(path.read_text(encoding="utf-8")), "")


def _long_functions() -> dict[str, int]:
    found = {}
    for path in sorted((ROOT / "src").rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for name, lines in _functions(path):
            if lines > MAX_FUNCTION_LINES:
                found[f"{path.relative_to(ROOT).as_posix()}::{name}"] = lines
    return found


def test_no_function_in_src_grows_over_70_lines():
    long = _long_functions()
    new = {name: lines for name, lines in long.items() if name not in LONG_FUNCTIONS}
    assert not new, (
        f"These functions are over {MAX_FUNCTION_LINES} lines; split them where a reader would get lost: "
        + ", ".join(f"{name} ({lines} lines)" for name, lines in sorted(new.items()))
    )


def test_the_list_of_long_functions_holds_only_long_functions():
    stale = sorted(set(LONG_FUNCTIONS) - set(_long_functions()))
    assert not stale, f"No longer over {MAX_FUNCTION_LINES} lines (or moved): remove or update {', '.join(stale)}"


def test_the_pre_commit_hooks_use_the_locked_versions():
    locked = dict(re.findall(r"^([a-z0-9-]+)==(\S+)", (ROOT / "requirements/test.txt").read_text(), re.M))
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    pins = [
        dependency
        for repo in config["repos"]
        for hook in repo["hooks"]
        for dependency in hook.get("additional_dependencies", [])
    ]
    assert pins
    for pin in pins:
        name, version = pin.split("==")
        assert locked.get(name) == version, f"{pin} in .pre-commit-config.yaml, {name}=={locked.get(name)} locked"
