"""Inspecting a text file before anything is written: readable, text, which encoding.

A *source* is what an adapter reads: it knows its header, yields the data as pandas frames of
raw values in chunks (index = the record's ordinal in the file, 0-based), and afterwards turns
ordinals into line numbers for the quarantine table.

Everything that makes a file unreadable as a whole is detected by :func:`inspect_text_file` and
:func:`open_csv_source` *before* the warehouse is touched, and raised as
:class:`~workbench.errors.IngestError` naming the file and the problem:

- missing file, a folder, an empty file;
- binary content (NUL bytes, or the signature of a ZIP/Excel, PDF, Parquet, image … file);
- UTF-16 text; bytes that are neither UTF-8 nor Windows-1252; *mixed* encodings;
- a header that repeats a column or lacks a required one.

Encoding rule
-------------
1. A file that decodes as UTF-8 (with or without a byte-order mark) is read as UTF-8.
2. Otherwise, a run of six or more bytes above 0x7F that is not UTF-8 is random or damaged
   data, not text: rejected, naming its line and byte offset.
3. Otherwise, if it contains *any* valid UTF-8 multi-byte sequence, it is a mix of UTF-8 and a
   legacy code page: rejected, naming the line and byte offset of the first non-UTF-8 byte
   (decoding it either way would silently corrupt some values).
4. Otherwise, if the whole file decodes as Windows-1252 (the usual "ANSI" export of Excel and
   older RMS tools), it is read as Windows-1252.
5. Otherwise it is rejected, naming the first undecodable byte.

A file cut short in the middle of a row (the last record has too few fields and the file does
not end with a line break, or ends inside a quoted value) is also an error for the whole file;
that can only be seen while reading, so it is raised from inside the load's transaction and the
warehouse is rolled back.
"""

from __future__ import annotations

import codecs
import gzip
import hashlib
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from workbench.errors import IngestError

_BLOCK = 4 << 20  # bytes per read while inspecting
_GZIP_MAGIC = b"\x1f\x8b"
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "a ZIP archive (an Excel .xlsx workbook is one)"),
    (b"\xd0\xcf\x11\xe0", "an old-style Excel/Office document"),
    (b"%PDF", "a PDF document"),
    (b"PAR1", "a Parquet file"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"SQLite format 3", "an SQLite database"),
)
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)




@dataclass(frozen=True)
class FileFacts:
    """What one pass over a text file established, before any parsing."""

    path: Path
    size: int
    sha256: str
    encoding: str  # "utf-8", "utf-8-sig" or "cp1252"
    compression: str | None  # "gzip" or None
    newline_count: int
    ends_with_newline: bool
    quote_count: int = 0


def file_sha256(path: Path) -> str:
    """SHA-256 of the file's bytes as stored (compressed files are hashed compressed)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def check_readable_file(path: Path) -> int:
    """The file's size; an IngestError if it is missing, a folder, unreadable or empty."""
    if not path.exists():
        raise IngestError(path, "no such file")
    if not path.is_file():
        raise IngestError(path, "is a folder, not a file")
    try:
        size = path.stat().st_size
        with path.open("rb"):
            pass
    except OSError as exc:
        raise IngestError(path, f"cannot be read: {exc.strerror or exc}") from None
    if size == 0:
        raise IngestError(path, "the file is empty (0 bytes)")
    return size


def _describe_signature(head: bytes) -> str | None:
    for signature, description in _SIGNATURES:
        if head.startswith(signature):
            return description
    return None


def _decompressed_blocks(path: Path, compression: str | None) -> Iterator[bytes]:
    if compression == "gzip":
        try:
            with gzip.open(path, "rb") as handle:
                while block := handle.read(_BLOCK):
                    yield block
        except (OSError, EOFError, zlib.error) as exc:
            raise IngestError(path, f"the gzip data is damaged or truncated ({exc})") from None
    else:
        with path.open("rb") as handle:
            while block := handle.read(_BLOCK):
                yield block


def _hashed_decompressed_blocks(path: Path, compression: str | None,
                                digest: hashlib._Hash) -> Iterator[bytes]:
    """The file's content block by block (decompressed when gzip: every member of a
    multi-member file), feeding each block *as stored* to ``digest`` on the way."""
    try:
        with path.open("rb") as handle:
            if compression != "gzip":
                while block := handle.read(_BLOCK):
                    digest.update(block)
                    yield block
                return
            inflater = zlib.decompressobj(wbits=31)
            member_open = False
            while raw := handle.read(_BLOCK):
                digest.update(raw)
                while raw:
                    member_open = True
                    data = inflater.decompress(raw)
                    if data:
                        yield data
                    if not inflater.eof:
                        break
                    member_open = False
                    raw = inflater.unused_data.lstrip(b"\x00")  # zero padding between members
                    inflater = zlib.decompressobj(wbits=31)
            if member_open:
                raise IngestError(path, "the gzip data is damaged or truncated (the file ends "
                                  "inside the compressed data)")
    except zlib.error as exc:
        raise IngestError(path, f"the gzip data is damaged or truncated ({exc})") from None


def _line_of_offset(path: Path, compression: str | None, offset: int) -> int:
    """1-based line number of the byte at ``offset`` of the (decompressed) content."""
    newlines = 0
    position = 0
    for block in _decompressed_blocks(path, compression):
        if position + len(block) > offset:
            return newlines + block.count(b"\n", 0, offset - position) + 1
        newlines += block.count(b"\n")
        position += len(block)
    return newlines + 1


def inspect_text_file(path: Path) -> FileFacts:
    """Check that ``path`` is a readable text file and settle its encoding (see module doc)."""
    size = check_readable_file(path)
    with path.open("rb") as handle:
        head = handle.read(64)
    compression = "gzip" if head.startswith(_GZIP_MAGIC) else None
    if compression:
        try:
            with gzip.open(path, "rb") as handle:
                head = handle.read(64)
        except (OSError, EOFError, zlib.error) as exc:
            raise IngestError(path, f"the gzip data is damaged ({exc})") from None
        if not head:
            raise IngestError(path, "the file is empty (the gzip archive holds no data)")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise IngestError(path, "is UTF-16 text; re-export it as UTF-8 CSV")
    if (description := _describe_signature(head)) is not None:
        raise IngestError(path, f"is not a CSV text file: it is {description}")

    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    newline_count = 0
    quote_count = 0
    position = 0
    last_byte = b""
    first_bad_utf8: int | None = None
    has_text = False
    # one pass: each block read is hashed as stored and scanned as decompressed
    for block in _hashed_decompressed_blocks(path, compression, digest):
        nul = block.find(b"\x00")
        if nul >= 0:
            offset = position + nul
            line = _line_of_offset(path, compression, offset)
            raise IngestError(
                path, f"is not a CSV text file: binary content (a NUL byte) at line {line}, "
                f"byte offset {offset}",
            )
        if first_bad_utf8 is None:
            pending = len(decoder.getstate()[0])
            try:
                decoder.decode(block)
            except UnicodeDecodeError as exc:
                first_bad_utf8 = position - pending + exc.start
        newline_count += block.count(b"\n")
        quote_count += block.count(b'"')
        has_text = has_text or bool(block.strip())
        position += len(block)
        last_byte = block[-1:]
    if first_bad_utf8 is None:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            first_bad_utf8 = position - 1
    if not has_text:
        raise IngestError(path, "the file is empty (only blank space)")

    if first_bad_utf8 is None:
        encoding = "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"
    else:
        encoding = _legacy_encoding(path, compression, first_bad_utf8)
    return FileFacts(
        path=path, size=size, sha256=digest.hexdigest(), encoding=encoding,
        compression=compression, newline_count=newline_count,
        ends_with_newline=last_byte in (b"\n", b"\r"), quote_count=quote_count,
    )


def _legacy_encoding(path: Path, compression: str | None, first_bad_utf8: int) -> str:
    """Apply rules 2–4 of the encoding rule to a file that is not valid UTF-8."""
    has_utf8_sequences = False
    carry = b""
    for block in _decompressed_blocks(path, compression):
        data = carry + block
        if _UTF8_MULTIBYTE.search(data):
            has_utf8_sequences = True
            break
        carry = block[-3:]
    garbage = _first_garbage_run(path, compression)
    if garbage is not None:
        offset, length = garbage
        raise IngestError(
            path, f"holds bytes that are not text at line "
            f"{_line_of_offset(path, compression, offset)}, byte offset {offset} (a run of "
            f"{length} bytes above 0x7F that is neither UTF-8 nor Windows-1252 text): random "
            "or damaged data; re-export the file",
        )
    line = _line_of_offset(path, compression, first_bad_utf8)
    bad_byte = _byte_at(path, compression, first_bad_utf8)
    where = f"line {line}, byte offset {first_bad_utf8} (byte 0x{bad_byte:02X})"
    if has_utf8_sequences:
        raise IngestError(
            path, f"mixed text encodings: the file holds UTF-8 text but the byte at {where} is "
            "not UTF-8; re-export the whole file as UTF-8",
        )
    decoder = codecs.getincrementaldecoder("cp1252")()
    position = 0
    for block in _decompressed_blocks(path, compression):
        try:
            decoder.decode(block)
        except UnicodeDecodeError as exc:
            offset = position + exc.start
            raise IngestError(
                path, f"is neither UTF-8 nor Windows-1252 text: undecodable byte at line "
                f"{_line_of_offset(path, compression, offset)}, byte offset {offset}; "
                "re-export it as UTF-8",
            ) from None
        position += len(block)
    return "cp1252"


_HIGH_RUN = re.compile(rb"[\x80-\xff]{%d,}" % 6)


def _first_garbage_run(path: Path, compression: str | None) -> tuple[int, int] | None:
    """Offset and length of the first run of 6+ bytes above 0x7F that is not UTF-8 text.

    Text in a legacy code page has accented letters one or two at a time; UTF-8 text has long
    runs of such bytes, but they decode. A long run that does not decode is random or damaged
    data, and calling it "mixed encodings" or reading it as Windows-1252 would mislead."""
    position = 0
    for block in _decompressed_blocks(path, compression):
        for match in _HIGH_RUN.finditer(block):
            run = match.group()
            if match.start() == 0 and position > 0:  # may continue a character cut by the block
                run = run.lstrip(bytes(range(0x80, 0xC0)))
            cut_at_end = match.end() == len(block)
            try:
                run.decode("utf-8")
            except UnicodeDecodeError as exc:
                if not (cut_at_end and exc.reason == "unexpected end of data") and len(run) >= 6:
                    return position + match.start(), len(match.group())
        position += len(block)
    return None


def _byte_at(path: Path, compression: str | None, offset: int) -> int:
    position = 0
    for block in _decompressed_blocks(path, compression):
        if position + len(block) > offset:
            return block[offset - position]
        position += len(block)
    return 0


