"""The files that imports keep: each committed import batch stores the file it read, compressed
(zstd, in parts of ``PART_BYTES`` of the file), in ``import_files``, beside its SHA-256 in
``import_batches`` — so that the exact input of every row it created stays available to an
auditor, and ``audit show`` can present a record's imported creation.

``read_file(path)`` hashes and compresses in one pass (hashing and compressing release the GIL, so
the importer runs it in a thread beside the import); ``write_parts`` stores it in the import's
transaction; ``restored(conn, batch_id)`` gives the file back, as a temporary file with the
original name.
"""

from __future__ import annotations

import contextlib
import hashlib
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

#: bytes of the original file per stored part (each part is one zstd frame)
PART_BYTES = 8 * 1024 * 1024
#: zstd level 1: about 6x smaller for a registry CSV, at several hundred MB/s
LEVEL = 1
CODEC = "zstd"


@dataclass
class StoredFile:
    sha256: str
    size: int
    parts: list[bytes] = field(default_factory=list)


def read_file(path: Path, *, keep: bool = True) -> StoredFile:
    """The SHA-256 and size of ``path`` and, with ``keep``, its compressed parts."""
    import zstandard

    digest = hashlib.sha256()
    compressor = zstandard.ZstdCompressor(level=LEVEL) if keep else None
    parts: list[bytes] = []
    size = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(PART_BYTES):
            digest.update(chunk)
            size += len(chunk)
            if compressor is not None:
                parts.append(compressor.compress(chunk))
    return StoredFile(sha256=digest.hexdigest(), size=size, parts=parts)


def write_parts(raw, batch_id: int, stored: StoredFile, *, sqlite: bool) -> None:
    """Store the parts of ``stored`` for ``batch_id`` (``raw``: the DBAPI connection)."""
    p = "?" if sqlite else "%s"
    cursor = raw.cursor()
    cursor.executemany(f"INSERT INTO import_files (batch_id, part, codec, data) VALUES ({p}, {p}, {p}, {p})",
                       [(batch_id, n, CODEC, data) for n, data in enumerate(stored.parts)])
    cursor.close()


def _chunks(raw, batch_id: int):
    """The stored file's bytes, part by part, decompressed (``raw``: a DBAPI connection)."""
    import zstandard

    decompressor = zstandard.ZstdDecompressor()
    cursor = raw.cursor()
    cursor.execute(f"SELECT codec, data FROM import_files WHERE batch_id = {int(batch_id)} ORDER BY part")
    while row := cursor.fetchone():
        codec, data = row
        if codec != CODEC:
            raise ValueError(f"unknown codec {codec!r}")
        yield decompressor.decompress(bytes(data))
    cursor.close()


def file_digest(raw, batch_id: int) -> str:
    digest = hashlib.sha256()
    for chunk in _chunks(raw, batch_id):
        digest.update(chunk)
    return digest.hexdigest()


@contextlib.contextmanager
def restored(raw, batch_id: int, file_name: str):
    """The stored file of ``batch_id`` as a temporary file named like the original (its suffix
    tells the readers its format); removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="xiaoqi-batch-") as folder:
        path = Path(folder) / (Path(file_name).name or "file")
        with open(path, "wb") as fh:
            for chunk in _chunks(raw, batch_id):
                fh.write(chunk)
        yield path
