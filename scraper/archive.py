"""WARC archive of fetched pages (warcio), so the dataset can be rebuilt with a newer cleaner.

One gzipped WARC file per site and run under `<data>/warc/<site>/`; a record's reference
("warc/<site>/<file>:<offset>") goes into the documents table's `warc_ref` column.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

#: A WARC file is closed and a new one started past this size.
MAX_FILE_BYTES = 1_000_000_000
SITE_HEADER = "WARC-Scraper-Site"


class WarcArchive:
    """Appends HTTP responses of one site to gzipped WARC files; `flush()` makes them durable."""

    def __init__(self, data_path: Path, site: str, *, max_file_bytes: int = MAX_FILE_BYTES) -> None:
        self.data_path = data_path
        self.site = site
        self.folder = data_path / "warc" / site
        self.max_file_bytes = max_file_bytes
        self._file: io.BufferedWriter | None = None
        self._path: Path | None = None
        self._writer: WARCWriter | None = None
        self._n = 0

    def _open(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        self._n += 1
        self._path = self.folder / f"{stamp}-{os.getpid()}-{self._n:03d}.warc.gz"
        self._file = open(self._path, "ab")  # noqa: SIM115 - held open across records
        self._writer = WARCWriter(self._file, gzip=True)

    def write_response(
        self,
        url: str,
        status: int,
        reason: str,
        headers: dict[str, str],
        body: bytes,
        fetched_at: datetime,
    ) -> str:
        """Append one response record; returns its reference for the dataset."""
        if self._file is None or self._file.tell() >= self.max_file_bytes:
            self.close()
            self._open()
        assert self._file is not None and self._writer is not None and self._path is not None
        # Content-Encoding is gone: httpx hands us the decoded body, so the header must not claim gzip.
        http_headers = StatusAndHeaders(
            f"{status} {reason}".strip(),
            [
                (k, v)
                for k, v in headers.items()
                if k.lower() not in ("content-encoding", "transfer-encoding", "content-length")
            ],
            protocol="HTTP/1.1",
        )
        record = self._writer.create_warc_record(
            url,
            "response",
            payload=io.BytesIO(body),
            http_headers=http_headers,
            warc_headers_dict={
                "WARC-Date": fetched_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                SITE_HEADER: self.site,
            },
        )
        offset = self._file.tell()
        self._writer.write_record(record)
        return f"{self._path.relative_to(self.data_path).as_posix()}:{offset}"

    def flush(self) -> None:
        """Make every record written so far durable (called before the dataset references them)."""
        if self._file is not None:
            self._file.flush()
            os.fsync(self._file.fileno())

    def close(self) -> None:
        """Flush and close the current file."""
        if self._file is not None:
            self.flush()
            self._file.close()
            self._file = self._writer = None


def _sha1_b32(body: bytes) -> str:
    return base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


@dataclass(slots=True, frozen=True)
class ArchivedResponse:
    """One response read back from the archive."""

    url: str
    site: str
    status: int
    headers: dict[str, str]
    body: bytes
    fetched_at: datetime
    ref: str


def iter_archive(data_path: Path) -> Iterator[ArchivedResponse | str]:
    """Every response record under `<data>/warc`, files in name order; a str for each file whose
    tail is unreadable (a run killed mid-record), after the records before it."""
    root = data_path / "warc"
    for path in sorted(root.rglob("*.warc.gz")) if root.exists() else []:
        rel = path.relative_to(data_path).as_posix()
        with open(path, "rb") as fh:
            it = ArchiveIterator(fh)
            try:
                for rec in it:
                    if rec.rec_type != "response":
                        continue
                    body = (
                        rec.content_stream().read()
                    )  # before the offset: asking for it ends the stream
                    offset = it.get_record_offset()
                    digest = rec.rec_headers.get_header("WARC-Payload-Digest") or ""
                    if digest.startswith("sha1:") and digest[5:] != _sha1_b32(body):
                        yield f"{rel}:{offset}: payload does not match its digest (a record cut short)"
                        continue
                    hdrs = (
                        {k.lower(): v for k, v in rec.http_headers.headers}
                        if rec.http_headers
                        else {}
                    )
                    status = int(rec.http_headers.get_statuscode()) if rec.http_headers else 0
                    when = datetime.strptime(
                        rec.rec_headers.get_header("WARC-Date"), "%Y-%m-%dT%H:%M:%SZ"
                    )
                    yield ArchivedResponse(
                        url=rec.rec_headers.get_header("WARC-Target-URI"),
                        site=rec.rec_headers.get_header(SITE_HEADER) or "",
                        status=status,
                        headers=hdrs,
                        body=body,
                        fetched_at=when.replace(tzinfo=UTC),
                        ref=f"{rel}:{offset}",
                    )
            except (ArchiveLoadFailed, EOFError, OSError, ValueError) as exc:
                yield f"{rel}: unreadable after the last whole record ({exc})"
