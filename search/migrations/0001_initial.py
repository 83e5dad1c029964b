import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.db import migrations, models

GIN = django.contrib.postgres.indexes.GinIndex(fields=["vector"], name="search_doc_vector_gin")


def add_gin(apps, schema_editor):
    # GIN exists on PostgreSQL only; on SQLite the vector stays empty and search uses icontains.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("search", "SearchDocument"), GIN)


def remove_gin(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("search", "SearchDocument"), GIN)


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[("item", "议题"), ("resolution", "决议"), ("minutes", "会议纪要"), ("notice", "通报")],
                        max_length=12,
                        verbose_name="类型",
                    ),
                ),
                ("object_id", models.PositiveBigIntegerField(verbose_name="对象编号")),
                ("link_id", models.PositiveBigIntegerField(blank=True, null=True, verbose_name="链接对象编号")),
                ("title", models.CharField(max_length=300, verbose_name="标题")),
                ("text", models.TextField(blank=True, verbose_name="正文")),
                ("confidential", models.BooleanField(default=False, verbose_name="涉密")),
                (
                    "vector",
                    django.contrib.postgres.search.SearchVectorField(blank=True, null=True, verbose_name="检索向量"),
                ),
                ("source_changed_at", models.DateTimeField(verbose_name="来源更新时间")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="索引时间")),
            ],
            options={
                "verbose_name": "检索文档",
                "verbose_name_plural": "检索文档",
                "constraints": [
                    models.UniqueConstraint(fields=("kind", "object_id"), name="search_document_once"),
                    models.CheckConstraint(
                        condition=models.Q(("kind__in", ["item", "resolution", "minutes", "notice"])),
                        name="search_document_kind_valid",
                    ),
                ],
            },
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddIndex(model_name="searchdocument", index=GIN)],
            database_operations=[migrations.RunPython(add_gin, remove_gin)],
        ),
    ]
