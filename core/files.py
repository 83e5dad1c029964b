"""Stored uploads: a file is kept with its name, size, type and SHA-256, outside every public path."""

import hashlib
import os

from django.core.files.uploadedfile import UploadedFile

from core.text import plain_file_name


def store_upload(record, upload: UploadedFile) -> None:
    """Fill `record`'s name, size, content_type and sha256 from `upload` and save the file to
    `record.file` (the row itself is saved by the caller)."""
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    name = plain_file_name(os.path.basename(upload.name))[:255]
    record.name = name
    record.size = upload.size
    record.content_type = (getattr(upload, "content_type", "") or "application/octet-stream")[:100]
    record.sha256 = digest.hexdigest()
    record.file.save(name, upload, save=False)
