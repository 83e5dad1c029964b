"""Documents made once （归档文件）： a meeting's archive PDF, its locked minutes and its resolutions
in Word, rendered when they can no longer change and kept in storage with their SHA-256.

A row is written once and never changed (PostgreSQL refuses UPDATE, DELETE and TRUNCATE): it says
which bytes were served as that document from then on. The file lives in the default storage
(outside every public path, as attachments do) and is served by the views that check access.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import AppendOnlyModel
from meetings.models.meeting import Meeting
from meetings.models.minutes import Minutes, Resolution


def document_path(document: "StoredDocument", filename: str) -> str:
    """documents/meetings/<meeting>/<file>: each meeting's documents together."""
    return f"documents/meetings/{document.meeting_id}/{filename}"


class StoredDocument(AppendOnlyModel):
    """One stored document. `minutes` is the minutes a Word document sets out, or, for the archive,
    the latest minutes of the meeting when it was made (the archive holds every minutes of the
    meeting: a later correction, once locked, makes a new archive)."""

    class Kind(models.TextChoices):
        ARCHIVE = "archive", _("会议归档PDF")
        MINUTES = "minutes", _("纪要Word")
        RESOLUTION = "resolution", _("决议Word")

    class Maker(models.TextChoices):
        JOB = "job", _("纪要锁定后生成")
        DOWNLOAD = "download", _("首次下载时生成")
        COMMAND = "command", _("补建命令生成")

    meeting = models.ForeignKey(Meeting, verbose_name=_("会议"), on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(_("文件类别"), max_length=12, choices=Kind.choices)
    minutes = models.ForeignKey(
        Minutes, verbose_name=_("纪要"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolution = models.ForeignKey(
        Resolution, verbose_name=_("决议"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    file = models.FileField(_("文件"), upload_to=document_path, max_length=200)
    sha256 = models.CharField(_("SHA-256摘要"), max_length=64)
    size = models.PositiveBigIntegerField(_("字节数"))
    made_by = models.CharField(_("生成方式"), max_length=10, choices=Maker.choices)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("归档文件")
        verbose_name_plural = _("归档文件")
        ordering = ["meeting", "id"]
        constraints = [
            # An archive and a minutes document name their minutes; a resolution document its resolution.
            models.CheckConstraint(
                condition=models.Q(kind__in=["archive", "minutes"], minutes__isnull=False, resolution__isnull=True)
                | models.Q(kind="resolution", minutes__isnull=True, resolution__isnull=False),
                name="storeddocument_kind_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.file.name} ({self.sha256[:12]})"
