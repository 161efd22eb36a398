"""The commands of the ``xiaoqi`` CLI, one module per command or group, and ``CommandEntry``: how
the core and plugins declare a command so that ``xiaoqi --help`` lists it without importing it.

A command module is imported only when its command runs (or its own ``--help`` is asked for), so
it may import what it needs at the top; heavy libraries (SQLAlchemy, openpyxl, Textual) still go
inside the function that uses them when another command of the same module does without them.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass

NAME_RE = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
IMPORT_PATH_RE = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")


@dataclass(frozen=True)
class CommandEntry:
    """A top-level command of ``xiaoqi``: its name, its one-line help in Chinese and English (shown
    by ``xiaoqi --help``), and where its click command or group is (``"package.module:attribute"``),
    imported only when the command is used."""

    name: str
    help: tuple[str, str]
    import_path: str

    def __post_init__(self):
        if not NAME_RE.match(self.name):
            raise ValueError(f"command name {self.name!r}: use lower-case letters, digits and hyphens, e.g. 'hainan'")
        if not (isinstance(self.help, tuple) and len(self.help) == 2 and all(isinstance(h, str) and h for h in self.help)):
            raise ValueError(f"command {self.name!r}: help must be a (Chinese, English) pair of texts")
        if not IMPORT_PATH_RE.match(self.import_path):
            raise ValueError(f"command {self.name!r}: import_path must read 'package.module:attribute', "
                             f"not {self.import_path!r}")

    def load(self):
        """The click command itself (imports its module)."""
        import click

        module, _, attribute = self.import_path.partition(":")
        command = getattr(importlib.import_module(module), attribute, None)
        if not isinstance(command, click.Command):
            raise TypeError(f"command {self.name!r}: {self.import_path} is not a click command or group")
        return command
