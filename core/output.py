"""Every file a command writes (exports, templates, reports, backups, the import's problem list)
goes through here, and so does text shown on a terminal:

- ``check_target`` refuses, before anything is read or written, a target whose folder is missing
  or read-only, that is a folder, a symlink, a device or a pipe, or that is one of the command's
  input files; ``open_output`` writes beside the target and renames over it only when the whole
  file is written (a failed or interrupted write leaves the old file as it was), and says
  plainly when the disk is full or the folder read-only.
- ``csv_cell`` and ``xlsx_value`` make cells that a spreadsheet would run as formulas inert
  (OWASP, "CSV injection"): a CSV cell that starts with ``= + - @``, a tab or a CR gets a leading
  apostrophe (the importer takes it off again), and a workbook cell is always a text cell, never a
  formula. Control characters a workbook cannot hold are shown escaped.
- ``printable`` escapes control characters in text for a terminal, so a stored name cannot move
  the cursor, retitle the window or reorder what is shown; ``clip`` shortens a value echoed in a
  message.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import tempfile
from pathlib import Path
from typing import IO, Iterable, Iterator

from .errors import XiaoqiError
from .fields import FORMULA_START
from .i18n import catalogue, t

catalogue(
    {
        "out.no_dir": ("目录不存在：{path}。请先创建该目录，或换一个位置。", "The folder does not exist: {path}. Create it, or choose another place."),
        "out.not_dir": ("{path} 不是目录。", "{path} is not a folder."),
        "out.is_dir": ("{path} 是一个目录：请给出文件名。", "{path} is a folder: give a file name."),
        "out.symlink": ("{path} 是符号链接：为安全起见不会覆盖它。请换一个文件名。", "{path} is a symbolic link: it is not overwritten, for safety. Choose another name."),
        "out.special": ("{path} 不是普通文件（设备、管道或套接字），不会写入。请换一个文件名。", "{path} is not a regular file (a device, pipe or socket) and is not written. Choose another name."),
        "out.is_input": ("{path} 是本命令读取的文件，不能用作输出（会覆盖它）。请换一个文件名。", "{path} is a file this command reads; writing it would overwrite it. Choose another name."),
        "out.read_only": ("无法写入 {path}：所在目录或文件系统是只读的。请换一个位置。", "Cannot write {path}: its folder or file system is read-only. Choose another place."),
        "out.denied": ("无法写入 {path}：没有权限。请换一个位置，或修改目录权限。", "Cannot write {path}: permission denied. Choose another place, or change the folder's permissions."),
        "out.full": ("无法写入 {path}：磁盘已满。请释放空间或换一个位置后重试（未留下不完整的文件）。", "Cannot write {path}: the disk is full. Free some space or choose another place and retry (no partial file was left)."),
        "out.failed": ("无法写入 {path}：{reason}", "Cannot write {path}: {reason}"),
        "out.clipped": ("…（共 {n} 个字符）", "... ({n} characters)"),
    }
)

#: how much of a value a message echoes
CLIP = 200


class OutputProblem(XiaoqiError):
    """A file cannot be written where the user asked."""


class BadOutputPath(OutputProblem):
    """The place given for a file is not one to write (a usage error: exit code 2)."""

    exit_code = 2


def check_target(path: str | Path, *, inputs: Iterable[str | Path] = ()) -> Path:
    """``path`` as an absolute path, once it is a place a new file may be written (see the module)."""
    path = Path(path).expanduser()
    target = path.absolute()
    parent = target.parent
    if not parent.exists():
        raise BadOutputPath(t("out.no_dir", path=parent))
    if not parent.is_dir():
        raise BadOutputPath(t("out.not_dir", path=parent))
    try:
        st = os.lstat(target)
    except FileNotFoundError:
        st = None
    if st is not None:
        if stat.S_ISLNK(st.st_mode):
            raise BadOutputPath(t("out.symlink", path=path))
        if stat.S_ISDIR(st.st_mode):
            raise BadOutputPath(t("out.is_dir", path=path))
        if not stat.S_ISREG(st.st_mode):
            raise BadOutputPath(t("out.special", path=path))
        for source in inputs:
            if _same_file(target, Path(source)):
                raise BadOutputPath(t("out.is_input", path=path))
    if _read_only(parent):
        raise BadOutputPath(t("out.read_only", path=path))
    if not os.access(parent, os.W_OK | os.X_OK):
        raise BadOutputPath(t("out.denied", path=path))
    return target


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _read_only(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):
        return False


@contextlib.contextmanager
def open_output(path: str | Path, *, inputs: Iterable[str | Path] = (), text: bool = False, encoding: str = "utf-8",
                newline: str | None = None, mode: int | None = None) -> Iterator[IO]:
    """A file object writing ``path`` (checked first, see ``check_target``): written beside it,
    flushed to disk and renamed over it at the end; removed on any error. ``mode`` sets the file's
    permissions; by default the owner's only (``private_mode``): exports, reports and error files
    hold personal data."""
    target = check_target(path, inputs=inputs)
    try:
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    except OSError as exc:
        raise write_problem(exc, path) from None
    done = False
    try:
        os.chmod(temp, mode if mode is not None else private_mode())
        with os.fdopen(fd, "w" if text else "wb", **({"encoding": encoding, "newline": newline} if text else {})) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        check_target(path, inputs=inputs)  # nothing put a link or a device there meanwhile
        os.replace(temp, target)
        done = True
    except OSError as exc:
        raise write_problem(exc, path) from None
    finally:
        if not done:
            with contextlib.suppress(OSError):
                os.unlink(temp)


def private_mode() -> int:
    """0600 — read and written by the owner only — or less if the user's umask is stricter."""
    return 0o600 & ~_umask()


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def write_problem(exc: OSError, path: str | Path) -> OutputProblem:
    """The message for an ``OSError`` met while writing ``path``."""
    key = {errno.ENOSPC: "out.full", errno.EDQUOT: "out.full", errno.EROFS: "out.read_only",
           errno.EACCES: "out.denied", errno.EPERM: "out.denied", errno.ENOENT: "out.no_dir"}.get(exc.errno)
    if key == "out.no_dir":
        return OutputProblem(t(key, path=Path(path).absolute().parent))
    if key:
        return OutputProblem(t(key, path=path))
    return OutputProblem(t("out.failed", path=path, reason=exc.strerror or exc))


# -- cells ------------------------------------------------------------------------------------

def csv_cell(value):
    """A CSV cell a spreadsheet shows as text: a leading apostrophe before a formula character."""
    if value.__class__ is str and value and value[0] in FORMULA_START:
        return "'" + value
    return value


#: what openpyxl refuses in a cell (and Excel cannot store)
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def xlsx_text(value: str) -> str:
    """Text a workbook can hold: control characters written out as ``\\x1b``."""
    return _XLSX_ILLEGAL.sub(_escaped, value) if _XLSX_ILLEGAL.search(value) else value


def xlsx_value(sheet, value):
    """A cell for ``sheet.append``: a text that starts like a formula stays text (a cell of type
    string, never evaluated); other values as they are."""
    if value.__class__ is not str:
        return value
    value = xlsx_text(value)
    if value[:1] == "=":
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value


# -- terminal ---------------------------------------------------------------------------------

#: C0 and C1 controls, DEL, bidirectional controls and lone surrogates (tab and newline are kept
#: where layout needs them, see ``printable``)
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_CONTROL_KEEP_LINES = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _escaped(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text, *, lines: bool = False) -> str:
    """``text`` with control characters shown as escapes (``\\x1b``); with ``lines`` newlines and
    tabs stay (a message of several lines), otherwise they are escaped too (one cell of a row)."""
    text = "" if text is None else str(text)
    pattern = _CONTROL_KEEP_LINES if lines else _CONTROL
    return pattern.sub(_escaped, text) if pattern.search(text) else text


def clip(value, n: int = CLIP) -> str:
    """A value as a message echoes it: printable, and at most ``n`` characters."""
    text = "" if value is None else str(value)
    if len(text) > n:
        return printable(text[:n]) + t("out.clipped", n=f"{len(text):,}")
    return printable(text)
