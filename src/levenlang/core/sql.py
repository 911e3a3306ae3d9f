"""Our PL/pgSQL and SQL functions live in files, one per function: src/levenlang/<app>/sql/<name>.sql holds a comment
on what it enforces and why, then exactly one `CREATE OR REPLACE FUNCTION <name>(...) ... AS $$ ... $$;` in its
latest definition. Migrations load the files with `LoadSqlFunction` (or first create a `SqlFunctionPlaceholder`);
triggers and other DDL stay in the migrations. The rule for changing a function is in docs/database-functions.md.
"""

import hashlib
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

from django.db import migrations

import levenlang

_DEFINITION = re.compile(
    r"\A\s*(?:--[^\n]*\n\s*)*"  # the comment header
    r"(?P<statement>CREATE OR REPLACE FUNCTION\s+(?P<name>\w+)\s*\((?P<arguments>[^)]*)\)"
    r"(?P<header>(?:(?!\$\$).)*?)\bAS\s+\$\$(?P<body>(?:(?!\$\$).)*)\$\$\s*;)\s*\Z",
    re.DOTALL | re.IGNORECASE,
)

# What a LoadSqlFunction replaces: nothing (None), an earlier version, or a SqlFunctionPlaceholder.
Replaces = Literal["version", "placeholder"] | None


@dataclass(frozen=True)
class SqlFunction:
    """One function's file, parsed: `statement` is what the database runs, `body` what lies between the $$."""

    app: str
    name: str
    path: Path
    text: str
    statement: str
    arguments: str
    header: str
    body: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(normalised(self.statement).encode()).hexdigest()[:12]

    @property
    def signature(self) -> str:
        return f"{self.name}({self.arguments})"


def normalised(sql: str) -> str:
    """Runs of whitespace as one space: layout is not a change of definition."""
    return " ".join(sql.split())


def sql_path(app: str, name: str) -> Path:
    return Path(levenlang.__file__).parent / app / "sql" / f"{name}.sql"


@cache
def sql_function(app: str, name: str) -> SqlFunction:
    """The file src/levenlang/<app>/sql/<name>.sql, parsed (`.text` is the SQL to run); ValueError if it is not
    exactly one definition of that function."""
    path = sql_path(app, name)
    text = path.read_text(encoding="utf-8")
    match = _DEFINITION.match(text)
    if not match:
        raise ValueError(
            f"{path} must hold a comment header and then exactly one CREATE OR REPLACE FUNCTION ... AS $$ ... $$;"
        )
    if match["name"] != name:
        raise ValueError(f"{path} defines {match['name']}, not {name}")
    return SqlFunction(
        app=app,
        name=name,
        path=path,
        text=text,
        statement=match["statement"],
        arguments=match["arguments"].strip(),
        header=match["header"],
        body=match["body"],
    )


def sql_functions() -> list[SqlFunction]:
    """Every function file of every app."""
    root = Path(levenlang.__file__).parent
    return [sql_function(path.parent.parent.name, path.stem) for path in sorted(root.glob("*/sql/*.sql"))]


# A trigger function that lets every row through unchanged: NEW for INSERT and UPDATE, OLD for DELETE (both NULL,
# and ignored, for statement-level and AFTER triggers).
_LET_THROUGH = """
BEGIN
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END """


def _placeholder(function: SqlFunction) -> str:
    if not re.search(r"\bRETURNS\s+trigger\b", function.header, re.IGNORECASE):
        raise ValueError(f"{function.path}: only a trigger function can have a placeholder")
    header = re.sub(r"\bLANGUAGE\s+\w+", "LANGUAGE plpgsql", function.header, flags=re.IGNORECASE)
    return f"CREATE OR REPLACE FUNCTION {function.signature}{header}AS $${_LET_THROUGH}$$;"


class LoadSqlFunction(migrations.RunSQL):
    """Create or replace a function from its file (the rule is in docs/database-functions.md).

    `checksum` records which version of the file this migration was written for; on a fresh database the file as
    it is now is loaded whatever the checksum. `replaces` says what an earlier migration made of this function,
    and so what going back restores: None (nothing, the function is new: going back drops it), "version" (an
    earlier version: going back keeps the latest body, since older ones are not kept) or "placeholder" (a
    `SqlFunctionPlaceholder`: going back restores the placeholder).
    """

    def __init__(self, app: str, name: str, checksum: str, *, replaces: Replaces = None):
        function = sql_function(app, name)
        self.app, self.name, self.checksum, self.replaces = app, name, checksum, replaces
        match replaces:
            case None:
                back = f"DROP FUNCTION {function.signature};"
            case "version":
                back = migrations.RunSQL.noop
            case "placeholder":
                back = _placeholder(function)
            case _:
                raise ValueError(f"replaces must be None, 'version' or 'placeholder', not {replaces!r}")
        super().__init__(function.text, back)

    def deconstruct(self):
        kwargs = {"replaces": self.replaces} if self.replaces else {}
        return (self.__class__.__qualname__, [self.app, self.name, self.checksum], kwargs)

    def describe(self):
        return f"Load the function {self.name} from {self.app}/sql/{self.name}.sql"


class SqlFunctionPlaceholder(migrations.RunSQL):
    """Create a trigger function with its file's signature and a body that does nothing, for an early migration whose
    triggers need the function while the latest body needs objects that a later migration adds; that later
    migration loads the file with `LoadSqlFunction(..., replaces="placeholder")`. Going back drops the function."""

    def __init__(self, app: str, name: str):
        function = sql_function(app, name)
        self.app, self.name = app, name
        super().__init__(_placeholder(function), f"DROP FUNCTION {function.signature};")

    def deconstruct(self):
        return (self.__class__.__qualname__, [self.app, self.name], {})

    def describe(self):
        return f"Create a placeholder for the function {self.name} ({self.app}/sql/{self.name}.sql)"
