"""Test cells as grader-side checks on plain values.

A test cell is ordinary Python with ``assert`` statements (public ones, and hidden ones
between ``### BEGIN HIDDEN TESTS`` / ``### END HIDDEN TESTS``). :func:`plan_test` reads it
once, in the grader:

* every top-level statement that contains an ``assert`` is one *check*; the others are setup;
* every name the cell reads but does not define (and that is not a builtin, a helper from
  :mod:`seminarkit.grading.helpers` or a well-known module alias) is a *probe*: the student
  process reports its value as plain JSON;
* a call of such a name (a student function) whose arguments are literals is a probe too:
  the student process evaluates the call and reports the result.

:func:`run_checks` then runs the rewritten statements in the grader, where ``assert``,
``abs`` and the helpers are the real ones and values are plain data.
"""

from __future__ import annotations

import ast
import builtins
import importlib
from dataclasses import dataclass, field
from typing import Any, TypedDict

from seminarkit.grading import helpers
from seminarkit.grading.protocol import ProbeError
from seminarkit.markers import HIDDEN_TESTS, region_lines

MODULE_ALIASES = {"math": "math", "np": "numpy", "numpy": "numpy", "pd": "pandas",
                  "pandas": "pandas", "statistics": "statistics", "re": "re",
                  "collections": "collections", "itertools": "itertools", "json": "json"}
_BUILTINS = set(dir(builtins))
_GRADER_NAMES = _BUILTINS | set(helpers.__all__) | set(MODULE_ALIASES)


@dataclass(frozen=True)
class Check:
    """One assert-bearing top-level statement of a test cell."""

    code: Any  # a compiled code object
    hidden: bool
    message: str  # what feedback may show (never the source of a hidden check)
    tainted: bool = False  # reads a name a hidden statement bound: show no error text


@dataclass(frozen=True)
class Step:
    """A top-level statement: a setup step or a check (``hidden`` if in a hidden region)."""

    code: Any
    check: Check | None
    hidden: bool = False


@dataclass(frozen=True)
class TestPlan:
    """The compiled plan of one test cell and the probes it needs.

    ``public`` holds the probe keys read by statements outside hidden regions (the student
    sees those expressions in the released test cell); every other probe is hidden-only.
    """

    steps: tuple[Step, ...]
    probes: dict[str, str] = field(default_factory=dict)  # key -> expression source
    modules: tuple[str, ...] = ()
    public: frozenset[str] = frozenset()

    @property
    def checks(self) -> list[Check]:
        """The checks, in order."""
        return [s.check for s in self.steps if s.check is not None]


class ProbeMissing(Exception):
    """Raised in the grader when a check reads a value the student process did not report."""

    def __init__(self, key: str, kind: str, detail: str):
        self.key, self.kind, self.detail = key, kind, detail
        super().__init__(f"{key}: {detail}")


def _hidden_lines(source: str) -> set[int]:
    # The one marker parser (every nbgrader form; raises MarkerError, a ValueError, on doubt).
    return region_lines(source, HIDDEN_TESTS)


def _bound_names(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
    return names


def _literal_bindings(tree: ast.Module) -> dict[str, ast.expr]:
    found: dict[str, ast.expr] = {}
    for stmt in tree.body:
        if (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Name)):
            try:
                ast.literal_eval(stmt.value)
            except ValueError:
                continue
            found[stmt.targets[0].id] = stmt.value
    return found


class _Rewriter(ast.NodeTransformer):
    """Replace student names and student calls by ``__probe__(key)``."""

    def __init__(self, local: set[str], literals: dict[str, ast.expr]):
        self.local, self.literals = local, literals
        self.probes: dict[str, str] = {}
        self.used: set[str] = set()
        self.modules: set[str] = set()

    def _is_student(self, name: str) -> bool:
        return name not in self.local and name not in _GRADER_NAMES

    def _static_arg(self, node: ast.expr) -> ast.expr:
        class Sub(ast.NodeTransformer):
            def visit_Name(inner, n: ast.Name) -> ast.expr:
                if n.id in self.literals:
                    return self.literals[n.id]
                if self._is_student(n.id):
                    return n
                raise ValueError(f"a student function is called with '{n.id}', which is "
                                 "neither a literal nor a student value; bind it to a literal")

            def visit_Call(inner, n: ast.Call) -> ast.expr:
                raise ValueError("a student function is called with a computed argument; "
                                 "use literals")

        return Sub().visit(node)  # type: ignore[no-any-return]

    def _probe(self, key: str, expr: str, node: ast.AST) -> ast.expr:
        self.probes[key] = expr
        self.used.add(key)
        call = ast.Call(func=ast.Name("__probe__", ast.Load()), args=[ast.Constant(key)],
                        keywords=[])
        return ast.copy_location(call, node)

    def visit_Call(self, node: ast.Call) -> ast.expr:
        if isinstance(node.func, ast.Name) and self._is_student(node.func.id):
            args = [self._static_arg(a) for a in node.args]
            keywords = [ast.keyword(k.arg, self._static_arg(k.value)) for k in node.keywords]
            if any(k.arg is None for k in keywords):
                raise ValueError("a student function is called with **kwargs; use literals")
            call = ast.Call(func=ast.Name(node.func.id, ast.Load()), args=args,
                            keywords=keywords)
            expr = ast.unparse(call)
            return self._probe(expr, expr, node)
        return self.generic_visit(node)  # type: ignore[return-value]

    def visit_Name(self, node: ast.Name) -> ast.expr:
        if isinstance(node.ctx, ast.Load):
            if node.id in MODULE_ALIASES and node.id not in self.local:
                self.modules.add(node.id)
            elif self._is_student(node.id):
                return self._probe(node.id, node.id, node)
        return node


def plan_test(source: str) -> TestPlan:
    """Compile a test cell into steps and probes; raise ValueError if it cannot be graded."""
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise ValueError(f"test code does not parse: {exc.msg} (line {exc.lineno})") from None
    hidden = _hidden_lines(source)
    rewriter = _Rewriter(_bound_names(tree), _literal_bindings(tree))
    lines = source.splitlines()
    steps: list[Step] = []
    public: set[str] = set()
    hidden_bound: set[str] = set()
    for stmt in tree.body:
        has_assert = any(isinstance(n, ast.Assert) for n in ast.walk(stmt))
        is_hidden = stmt.lineno in hidden
        text = "\n".join(lines[stmt.lineno - 1:(stmt.end_lineno or stmt.lineno)])
        rewriter.used = set()
        new = rewriter.visit(stmt)
        reads = {n.id for n in ast.walk(stmt) if isinstance(n, ast.Name)}
        if is_hidden:
            hidden_bound |= _bound_names(stmt)
        else:
            public |= rewriter.used
        code = compile(ast.fix_missing_locations(ast.Module([new], [])), "<test>", "exec")
        check = None
        if has_assert:
            message = "hidden check"
            if not is_hidden:
                msg = stmt.msg if isinstance(stmt, ast.Assert) else None
                message = msg.value if isinstance(msg, ast.Constant) and isinstance(
                    msg.value, str) else text.strip()
            check = Check(code, is_hidden, message, bool(reads & hidden_bound))
        steps.append(Step(code, check, is_hidden))
    if not any(s.check for s in steps):
        raise ValueError("test cell has no assert statement")
    return TestPlan(tuple(steps), dict(rewriter.probes), tuple(sorted(rewriter.modules)),
                    frozenset(public))


@dataclass(frozen=True)
class CheckResult:
    """Outcome of one check: passed, or why not."""

    passed: bool
    hidden: bool
    message: str
    reason: str = ""  # failed | error | missing | unreportable | timeout ...
    detail: str = ""


class Decoded(TypedDict, total=False):
    """A probe's value decoded in the grader (any Python value), or why there is none."""

    value: object
    error: ProbeError


def run_checks(plan: TestPlan, values: dict[str, Decoded]) -> list[CheckResult]:
    """Run a plan in the grader against decoded probe ``values`` (key -> value or error)."""

    def probe(key: str) -> object:
        entry = values.get(key)
        if entry is None:
            raise ProbeMissing(key, "missing", f"no value reported for {key}")
        if "error" in entry:
            err = entry["error"]
            raise ProbeMissing(key, str(err.get("kind", "error")), str(err.get("detail", "")))
        return entry["value"]

    namespace: dict[str, Any] = {"__builtins__": builtins, "__probe__": probe}
    namespace.update({name: getattr(helpers, name) for name in helpers.__all__})
    for alias in plan.modules:
        namespace[alias] = importlib.import_module(MODULE_ALIASES[alias])
    results: list[CheckResult] = []
    setup_failure: tuple[bool, str, str] | None = None
    for step in plan.steps:
        outcome: tuple[bool, str, str] = (True, "", "")
        try:
            exec(step.code, namespace)
        except ProbeMissing as exc:
            outcome = (False, exc.kind, exc.detail)
        except AssertionError:
            outcome = (False, "failed", "")
        except NameError as exc:  # a name a failed setup step should have bound
            outcome = setup_failure or (False, "error", f"NameError: {exc}")
        except Exception as exc:  # the value had the wrong shape or type
            outcome = (False, "error", f"{type(exc).__name__}: {exc}"[:300])
        if step.check is None and not outcome[0]:
            hidden_failure = (outcome[0], outcome[1], "")
            setup_failure = setup_failure or (hidden_failure if step.hidden else outcome)
        if step.check is not None:
            check = step.check
            detail = outcome[2]
            if check.hidden:
                detail = ""
            elif check.tainted:
                detail = detail.split(":", 1)[0]  # the error's name, never its text
            results.append(CheckResult(outcome[0], check.hidden, check.message, outcome[1],
                                       detail))
    return results
