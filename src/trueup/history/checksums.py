"""The checksums the history tables record, computed exactly as each tool computes them."""

from __future__ import annotations

import hashlib
import zlib

_BOM = "\ufeff"


def sha256_hex(data: bytes) -> str:
    """trueup's and Prisma's checksum: the SHA-256 of the file's bytes, in hex (Prisma stores
    it in ``_prisma_migrations.checksum``)."""
    return hashlib.sha256(data).hexdigest()


def flyway_crc32(data: bytes) -> int:
    """Flyway's checksum of a SQL migration: a CRC-32 fed each line's UTF-8 bytes without its
    line ending (Java's ``BufferedReader.readLine``: ``\\n``, ``\\r\\n`` and ``\\r`` end a
    line), a byte order mark left out, stored as a signed 32-bit integer. So it does not change
    with the line endings."""
    text = data.decode("utf-8", errors="replace")
    if text.startswith(_BOM):
        text = text[1:]
    crc = 0
    for line in _java_lines(text):
        crc = zlib.crc32(line.encode("utf-8"), crc)
    return crc - (1 << 32) if crc >= 1 << 31 else crc


def _java_lines(text: str) -> list[str]:
    """Lines as ``BufferedReader.readLine`` returns them (no trailing empty line)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines
