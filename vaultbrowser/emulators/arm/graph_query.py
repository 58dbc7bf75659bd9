"""The subset of the Kusto query language the emulated Resource Graph understands.

Grammar (keywords case-insensitive, column names case-sensitive as in Kusto, whitespace and
newlines free, strings in single or double quotes)::

    query  := "resources" ( "|" step )*
    step   := "where" column "=~" string
            | "where" column "in~" "(" string ( "," string )* ")"
            | "project" column ( "," column )*
            | ( "order" | "sort" ) "by" column [ "asc" | "desc" ] ( "," column [ ... ] )*

``=~`` and ``in~`` compare strings case-insensitively; ``order by`` defaults to ``desc`` as in
Kusto. Anything else raises :class:`QueryError` with where parsing stopped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<string>'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*~?)
  | (?P<op>=~|==|!=|[|,()=<>!~.\[\]])
  | (?P<number>\d+)
""", re.VERBOSE)


class QueryError(Exception):
    """An unsupported or malformed query; ``code`` is the Resource Graph detail code."""

    def __init__(self, message: str, *, line: int, column: int, token: str,
                 expected: str, code: str = "ParserFailure") -> None:
        super().__init__(message)
        self.code = code
        self.line = line
        self.column = column
        self.token = token
        self.expected = expected

    def detail(self) -> dict[str, Any]:
        """The error detail Resource Graph adds after ``InvalidQuery``."""
        detail: dict[str, Any] = {"code": self.code, "message": str(self), "line": self.line,
                                  "characterPositionInLine": self.column, "token": self.token}
        if self.expected:
            detail["expectedToken"] = self.expected
        return detail


@dataclass(frozen=True)
class _Token:
    kind: str  # string | word | op | number | end
    text: str
    line: int
    column: int


@dataclass(frozen=True)
class Where:
    """Keep rows whose ``column`` equals one of ``values``, ignoring case."""

    column: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Project:
    """Keep only ``columns``, in this order."""

    columns: tuple[str, ...]


@dataclass(frozen=True)
class Order:
    """Sort by ``keys`` (column, descending?), first key first."""

    keys: tuple[tuple[str, bool], ...]


Step = Where | Project | Order


@dataclass(frozen=True)
class Query:
    """A parsed query: its steps, and the columns of its result (in order)."""

    steps: tuple[Step, ...]
    columns: tuple[str, ...]

    def run(self, rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        """The result rows (new dicts where a projection applies)."""
        result = list(rows)
        for step in self.steps:
            if isinstance(step, Where):
                wanted = {value.lower() for value in step.values}
                result = [row for row in result
                          if isinstance(row.get(step.column), str)
                          and row[step.column].lower() in wanted]
            elif isinstance(step, Project):
                result = [{column: row.get(column) for column in step.columns} for row in result]
            else:
                for column, descending in reversed(step.keys):  # stable: last key first
                    result.sort(key=lambda row, c=column: _sort_key(row.get(c)),
                                reverse=descending)
        return result


def parse(text: str, table_columns: Iterable[str]) -> Query:
    """Parse ``text`` against the ``resources`` table with ``table_columns``.

    Raises:
        QueryError: a syntax error, an unsupported operator or an unknown table or column.
    """
    parser = _Parser(_tokenize(text), tuple(table_columns))
    return parser.query()


class _Parser:
    def __init__(self, tokens: list[_Token], columns: tuple[str, ...]) -> None:
        self._tokens = tokens
        self._at = 0
        self._columns = columns

    def query(self) -> Query:
        table = self._next()
        if table.kind != "word" or table.text.lower() != "resources":
            if table.kind == "word":
                raise _error(table, f"Failed to resolve table or column expression named "
                             f"'{table.text}'", "resources", "FailedToResolveTableExpression")
            raise _error(table, "ParserFailure", "resources")
        steps: list[Step] = []
        while self._peek().kind != "end":
            self._expect_op("|")
            operator = self._next()
            name = operator.text.lower() if operator.kind == "word" else ""
            if name == "where":
                steps.append(self._where())
            elif name == "project":
                steps.append(self._project())
            elif name in ("order", "sort"):
                steps.append(self._order())
            else:
                raise _error(operator, "ParserFailure", "where, project, order by")
        return Query(tuple(steps), self._columns)

    def _where(self) -> Where:
        column = self._column()
        operator = self._next()
        if operator.kind == "op" and operator.text == "=~":
            return Where(column, (self._string(),))
        if operator.kind == "word" and operator.text.lower() == "in~":
            self._expect_op("(")
            values = [self._string()]
            while self._peek().text == ",":
                self._next()
                values.append(self._string())
            self._expect_op(")")
            return Where(column, tuple(values))
        raise _error(operator, "ParserFailure", "=~, in~")

    def _project(self) -> Project:
        columns = [self._column()]
        while self._peek().text == ",":
            self._next()
            columns.append(self._column())
        if len(set(columns)) != len(columns):
            raise _error(self._tokens[self._at - 1], "ParserFailure", "a column projected once")
        self._columns = tuple(columns)
        return Project(self._columns)

    def _order(self) -> Order:
        by = self._next()
        if by.kind != "word" or by.text.lower() != "by":
            raise _error(by, "ParserFailure", "by")
        keys = [self._order_key()]
        while self._peek().text == ",":
            self._next()
            keys.append(self._order_key())
        return Order(tuple(keys))

    def _order_key(self) -> tuple[str, bool]:
        column = self._column()
        direction = self._peek()
        if direction.kind == "word" and direction.text.lower() in ("asc", "desc"):
            self._next()
            return column, direction.text.lower() == "desc"
        return column, True

    def _column(self) -> str:
        token = self._next()
        if token.kind != "word" or token.text.endswith("~"):
            raise _error(token, "ParserFailure", "a column name")
        if token.text not in self._columns:
            raise _error(token, f"Failed to resolve scalar expression named '{token.text}'",
                         "", "FailedToResolveScalarExpression")
        return token.text

    def _string(self) -> str:
        token = self._next()
        if token.kind != "string":
            raise _error(token, "ParserFailure", "a string literal")
        return re.sub(r"\\(.)", r"\1", token.text[1:-1])

    def _expect_op(self, text: str) -> None:
        token = self._next()
        if token.kind != "op" or token.text != text:
            raise _error(token, "ParserFailure", text)

    def _peek(self) -> _Token:
        return self._tokens[self._at]

    def _next(self) -> _Token:
        token = self._tokens[self._at]
        if token.kind != "end":
            self._at += 1
        return token


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    position, line, line_start = 0, 1, 0
    while position < len(text):
        found = _TOKEN.match(text, position)
        if found is None:
            raise QueryError("ParserFailure", line=line, column=position - line_start,
                             token=text[position], expected="")
        kind = found.lastgroup or ""
        if kind != "space":
            tokens.append(_Token(kind, found.group(), line, position - line_start))
        for offset, char in enumerate(found.group()):
            if char == "\n":
                line, line_start = line + 1, position + offset + 1
        position = found.end()
    tokens.append(_Token("end", "<EOF>", line, position - line_start))
    return tokens


def _error(token: _Token, message: str, expected: str,
           code: str = "ParserFailure") -> QueryError:
    return QueryError(message, line=token.line, column=token.column, token=token.text,
                      expected=expected, code=code)


def _sort_key(value: Any) -> tuple[int, str]:
    """Kusto orders nulls before values; strings ordinally; other values by their JSON."""
    if value is None:
        return (0, "")
    return (1, value if isinstance(value, str) else json.dumps(value, sort_keys=True))
