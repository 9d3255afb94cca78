"""The IPython shell student cells run in: Jupyter's semantics, minus what cannot run when grading.

Student cells are executed by :meth:`GradingShell.run_cell`, the very method a Jupyter kernel
calls, so magics (``%%time``, ``%time``, ``%timeit``, ``%%capture``, ``%matplotlib
inline``), ``display(...)``, a bare last expression (and ``_``) behave as they do in
JupyterLab. What differs, each recorded as a note on the cell:

* shell escapes (``!cmd``, ``x = !cmd``, ``%system``, ``%sx``, ``%pip``, ``%conda``) and
  script cell magics (``%%bash``, ``%%sh``, ``%%script`` ...) are not run; the rest of the
  cell is;
* an unknown magic stops the cell with IPython's ``UsageError``, as in Jupyter, and the note
  says so.

The shell is built once, in the fork-server template (:func:`build_shell`), with history off,
no colours, and rich display formats off (output is counted and discarded anyway).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

from IPython.core.interactiveshell import InteractiveShell

PRELOADED_MAGICS = {"line": ("time", "timeit", "matplotlib", "run", "load", "who", "whos",
                             "reset", "env", "pwd", "precision", "config"),
                    "cell": ("time", "timeit", "capture", "writefile", "html", "markdown",
                             "latex", "javascript", "svg")}
NOT_RUN = "was not run: shell commands do not run when grading"


class GradingShell(InteractiveShell):
    """An ``InteractiveShell`` that records notes instead of running shell commands."""

    notes: list[str]

    def enable_gui(self, gui: str | None = None) -> None:
        """No event loop to integrate: figures are drawn by the inline backend."""

    def system(self, cmd: str) -> None:
        """Record ``!cmd`` instead of running it."""
        self._note(f"!{cmd}")
        self.user_ns["_exit_code"] = 0

    def getoutput(self, cmd: str, split: bool = True, depth: int = 0) -> Any:
        """Record ``x = !cmd`` instead of running it; the result is empty."""
        from IPython.utils.text import LSString, SList

        self._note(f"!{cmd}")
        return SList() if split else LSString("")

    @contextlib.contextmanager
    def _tee(self, channel: str) -> Iterator[None]:
        """Keep no copy of printed output (IPython 9 stores it for history, in memory)."""
        yield

    def showtraceback(self, *args: object, **kwargs: object) -> None:
        """Tracebacks are not shown to anyone when grading; skip formatting them."""

    def showsyntaxerror(self, *args: object, **kwargs: object) -> None:
        """As :meth:`showtraceback`."""

    def _note(self, what: str) -> None:
        notes = getattr(self, "notes", None)
        if isinstance(notes, list) and len(notes) < 10:
            notes.append(f"{what.strip()[:200]} {NOT_RUN}")


def _script_stub(name: str) -> Any:
    def stub(line: str, cell: str) -> None:
        from IPython.core.getipython import get_ipython

        shell = get_ipython()
        if isinstance(shell, GradingShell):
            shell._note(f"%%{name} {line}".strip() + " cell")

    return stub


def build_shell() -> GradingShell:
    """Create the one shell (history off, plain tracebacks, text-only display), magics loaded."""
    from IPython.core import magics
    from traitlets.config import Config

    config = Config()
    config.HistoryManager.enabled = False
    config.InteractiveShell.colors = "nocolor"
    config.InteractiveShell.xmode = "Plain"
    config.InteractiveShell.autocall = 0
    shell: GradingShell = GradingShell.instance(config=config)
    if shell.display_formatter is not None:
        shell.display_formatter.active_types = ["text/plain"]
    for kind, names in PRELOADED_MAGICS.items():
        for name in names:
            InteractiveShell.find_magic(shell, name, kind)
    configured: Callable[[Config], list[str]] = getattr(magics, "configured_script_magics",
                                                        lambda config: [])
    for name in {*configured(config), "script", "bash", "sh", "!"}:
        shell.register_magic_function(_script_stub(name), "cell", name)
    import matplotlib_inline.backend_inline  # noqa: F401  (for %matplotlib inline)

    return shell
