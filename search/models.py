from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class SearchDocument(models.Model):
    """One searchable object (an agenda item, a resolution, locked minutes, a published notice),
    as it was when last indexed. Who may see it is never stored here: every search asks the
    owning app's visibility rule about the source row at that moment."""

    class Kind(models.TextChoices):
        ITEM = "item", _("议题")
        RESOLUTION = "resolution", _("决议")
        MINUTES = "minutes", _("会议纪要")
        NOTICE = "notice", pgettext_lazy("notice", "通报")

    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField(_("对象编号"))
    # Where a result leads when the object has no page of its own: a resolution → its item.
    link_id = models.PositiveBigIntegerField(_("链接对象编号"), null=True, blank=True)
    title = models.CharField(_("标题"), max_length=300)
    text = models.TextField(_("正文"), blank=True)
    # A confidential object's result shows its title but no snippet: its content is read on its
    # own page, where every view is logged.
    confidential = models.BooleanField(_("涉密"), default=False)
    # PostgreSQL: the lexemes of search.tokenize.vector_literal. SQLite: empty (icontains instead).
    vector = SearchVectorField(_("检索向量"), null=True, blank=True)
    # The source row's own timestamp when it was indexed (updated_at, issued_at, locked_at,
    # published_at): reindex_changed compares it with the source to find what changed.
    source_changed_at = models.DateTimeField(_("来源更新时间"))
    updated_at = models.DateTimeField(_("索引时间"), auto_now=True)

    class Meta:
        verbose_name = _("检索文档")
        verbose_name_plural = _("检索文档")
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_document_once"),
            models.CheckConstraint(
                condition=models.Q(kind__in=["item", "resolution", "minutes", "notice"]),
                name="search_document_kind_valid",
            ),
        ]
        # The GIN index exists on PostgreSQL only (see migration 0001): SQLite has no GIN and no vector.
        indexes = [GinIndex(fields=["vector"], name="search_doc_vector_gin")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.title}"
