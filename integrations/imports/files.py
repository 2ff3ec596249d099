"""Reading import files row by row, never whole. Pure: no Django.

CSV: the encoding is taken from a byte-order mark, else UTF-8 when the head decodes as UTF-8, else
Windows-1252 (what German Excel writes); the delimiter is sniffed from the head among ``, ; TAB |``.
XLSX: the first sheet, streamed by openpyxl in read-only mode with cached formula values.
Header names are trimmed; a repeated name keeps its first column (duplicates collapsed).
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

HEAD_BYTES = 64 * 1024
DELIMITERS = ",;\t|"


class FileUnreadable(Exception):
    """The file cannot be read at all; ``code`` is an import error or issue code."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class Row:
    number: int  # 1-based data row number, as the user counts rows (the header is row 0)
    values: dict[str, str]
    malformed: bool = False


@dataclass
class Table:
    columns: list[str]
    rows: Iterator[Row]
    encoding: str | None = None
    delimiter: str | None = None
    notes: list[str] = field(default_factory=list)


def detect_format(filename: str, head: bytes) -> str:
    """``xlsx`` for a zip container (or a ``.xlsx`` name), ``csv`` otherwise."""
    if head[:4] == b"PK\x03\x04" or filename.lower().endswith(".xlsx"):
        return "xlsx"
    return "csv"


def open_table(stream: BinaryIO, fmt: str) -> Table:
    if fmt == "xlsx":
        return _open_xlsx(stream)
    if fmt == "csv":
        return _open_csv(stream)
    raise FileUnreadable("FILE_FORMAT_UNSUPPORTED", f"Unsupported file format {fmt!r}: use CSV or XLSX.")


def effective_columns(raw: list[str]) -> tuple[list[str], list[int]]:
    """Trimmed header names without duplicates or blanks, and the source index of each."""
    columns, indexes, seen = [], [], set()
    for index, name in enumerate(raw):
        name = (name or "").strip()
        if name and name not in seen:
            seen.add(name)
            columns.append(name)
            indexes.append(index)
    return columns, indexes


def _detect_encoding(head: bytes) -> str:
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):
        if head.startswith(bom):
            return encoding
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        head.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise FileUnreadable("INVALID_ENCODING", "The file is neither UTF-8 nor Windows-1252 text.") from exc
    return "cp1252"


def _open_csv(stream: BinaryIO) -> Table:
    buffered = io.BufferedReader(stream, buffer_size=HEAD_BYTES) if not hasattr(stream, "peek") else stream
    head = buffered.peek(HEAD_BYTES)[:HEAD_BYTES]
    if not head.strip():
        raise FileUnreadable("EMPTY_FILE", "The file is empty.")
    if b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise FileUnreadable("FILE_FORMAT_UNSUPPORTED", "The file is binary, not CSV text.")
    encoding = _detect_encoding(head)
    text = io.TextIOWrapper(buffered, encoding=encoding, newline="", errors="strict")
    head_text = head.decode(encoding if encoding != "utf-8-sig" else "utf-8-sig", errors="ignore")
    try:
        delimiter = csv.Sniffer().sniff(head_text.split("\n", 20)[0] if "\n" in head_text else head_text,
                                        delimiters=DELIMITERS).delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(text, delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration as exc:
        raise FileUnreadable("EMPTY_FILE", "The file is empty.") from exc
    except UnicodeDecodeError as exc:
        raise FileUnreadable("INVALID_ENCODING", f"The file is not valid {encoding} text.") from exc
    columns, indexes = effective_columns(header)
    if not columns:
        raise FileUnreadable("EMPTY_FILE", "The file has no header row.")
    width = len(header)

    def rows() -> Iterator[Row]:
        number = 0
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except UnicodeDecodeError as exc:
                raise FileUnreadable("INVALID_ENCODING", f"The file is not valid {encoding} text "
                                     f"after data row {number}.") from exc
            except csv.Error as exc:
                number += 1
                yield Row(number, {}, malformed=True)
                del exc
                continue
            number += 1
            malformed = len(cells) > width
            yield Row(number, {c: (cells[i] if i < len(cells) else "") for c, i in zip(columns, indexes, strict=True)},
                      malformed=malformed)

    return Table(columns, rows(), encoding=encoding, delimiter=delimiter)


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat() if value.time() != dt.time(0) else value.date().isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _open_xlsx(stream: BinaryIO) -> Table:
    import zipfile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise FileUnreadable("FILE_FORMAT_UNSUPPORTED", "The file is not a readable XLSX workbook.") from exc
    sheet = workbook.worksheets[0] if workbook.worksheets else None
    if sheet is None:
        raise FileUnreadable("EMPTY_FILE", "The workbook has no sheet.")
    cells = sheet.iter_rows(values_only=True)
    header = next(cells, None)
    if header is None:
        workbook.close()
        raise FileUnreadable("EMPTY_FILE", "The workbook's first sheet is empty.")
    columns, indexes = effective_columns([_cell_text(v) for v in header])
    if not columns:
        workbook.close()
        raise FileUnreadable("EMPTY_FILE", "The first sheet has no header row.")

    def rows() -> Iterator[Row]:
        try:
            for number, values in enumerate(cells, start=1):
                texts = [_cell_text(v) for v in values]
                yield Row(number, {c: (texts[i] if i < len(texts) else "") for c, i in zip(columns, indexes, strict=True)})
        finally:
            workbook.close()

    return Table(columns, rows(), notes=["formulas are read as the values Excel last calculated"])


def is_blank(row: Row) -> bool:
    return not row.malformed and not any(v.strip() for v in row.values.values())
