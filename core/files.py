"""Stored uploads: a file is kept with its name, size, type and SHA-256, outside every public path.

A file's name says what it claims to be; its bytes say what it is. `sniffed_type` reads the
bytes (magic numbers with `filetype`, the OLE2 header, the zip's own table of contents) and
answers the content type only when they are what the extension promises: an `.exe` renamed
`.pdf` is refused at upload, and what is stored and served is the checked type, never the
browser's claim.
"""

import hashlib
import os
import zipfile
from typing import IO

import filetype
from django.core.files.uploadedfile import UploadedFile

from core.text import plain_file_name

# The type each accepted extension is served as, once its content has been checked.
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
    "wps": "application/vnd.ms-works",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "ofd": "application/ofd",
    "zip": "application/zip",
    "txt": "text/plain",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
}
UNKNOWN = "application/octet-stream"

# Compound File Binary (OLE2): old Word, Excel, PowerPoint and WPS documents. Which program
# wrote one is inside its directory; the header is what they share (filetype does not know an
# OLE2 file without the program's own marker in the first bytes).
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
OLE2_EXTENSIONS = frozenset({"doc", "xls", "ppt", "wps"})
# Office Open XML: a zip whose [Content_Types].xml names the document's main part.
OOXML_MAIN_PART = {
    "docx": b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "xlsx": b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "pptx": b"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
}
# A zip's table of contents is read whole; one larger than this is not a document.
MAX_CONTENT_TYPES_BYTES = 1024 * 1024
HEAD_BYTES = 8192


def extension(name: str) -> str:
    return os.path.splitext(name or "")[1].lower().lstrip(".")


def sniffed_type(stream: IO[bytes], ext: str) -> str | None:
    """The content type of `stream` if its bytes are a file of kind `ext`, else None. Reads
    from the start and leaves the stream at the start."""
    stream.seek(0)
    head = stream.read(HEAD_BYTES)
    stream.seek(0)
    try:
        if ext == "txt":
            encoding = _text_encoding(stream)
            return f"text/plain; charset={encoding}" if encoding else None
        return CONTENT_TYPES[ext] if _matches(stream, head, ext) else None
    finally:
        stream.seek(0)


def _matches(stream: IO[bytes], head: bytes, ext: str) -> bool:
    if ext in OLE2_EXTENSIONS:
        return head.startswith(OLE2_MAGIC)
    if ext in ("pdf", "jpg", "jpeg", "png"):
        kind = filetype.guess(head)
        return kind is not None and kind.extension == {"jpeg": "jpg"}.get(ext, ext)
    if ext in OOXML_MAIN_PART or ext in ("ofd", "zip"):
        return _zip_matches(stream, ext)
    return False


def _zip_matches(stream: IO[bytes], ext: str) -> bool:
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
            if ext == "zip":
                return True
            if ext == "ofd":
                return "OFD.xml" in names
            info = archive.getinfo("[Content_Types].xml") if "[Content_Types].xml" in names else None
            if info is None or info.file_size > MAX_CONTENT_TYPES_BYTES:
                return False
            return OOXML_MAIN_PART[ext] in archive.read(info)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, ValueError, OSError):
        return False


def _text_encoding(stream: IO[bytes]) -> str | None:
    """Plain text as Chinese offices write it: UTF-8 (with or without BOM) or GB18030, no NUL.
    Answers the encoding, or None for anything else."""
    data = stream.read()
    if b"\x00" in data:
        return None
    for encoding, name in (("utf-8-sig", "utf-8"), ("gb18030", "gb18030")):
        try:
            data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return name
    return None


def store_upload(record, upload: UploadedFile) -> None:
    """Fill `record`'s name, size, content_type and sha256 from `upload` and save the file to
    `record.file` (the row itself is saved by the caller). The content type is the checked one
    (the caller has refused a file whose content does not match its name)."""
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    name = plain_file_name(os.path.basename(upload.name))[:255]
    record.name = name
    record.size = upload.size
    record.content_type = sniffed_type(upload, extension(name)) or UNKNOWN
    record.sha256 = digest.hexdigest()
    record.file.save(name, upload, save=False)


def served_type(record) -> str:
    """The type a stored file is sent with: its content checked again against its name, so a
    file stored before uploads were checked is never sent as what it only claims to be."""
    with record.file.storage.open(record.file.name, "rb") as stream:
        return sniffed_type(stream, extension(record.name)) or UNKNOWN
