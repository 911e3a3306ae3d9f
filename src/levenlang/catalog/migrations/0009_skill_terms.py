"""Modules link to skills of the taxonomy: SkillTerm (filled by the skills app), the database-only column
catalog_module.skill_terms kept by the trigger catalog_module_skill_terms (which also turns a free label that names
exactly one skill into its URI), and a search document that indexes the linked skills' labels and leaves the URIs
out. The generated column is dropped and added again (PostgreSQL cannot change a generated expression), which
computes it for every module."""

import django.contrib.postgres.fields
import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.expressions
from django.db import migrations, models

from levenlang.core.sql import LoadSqlFunction

SEARCH_DOCUMENT = (
    "setweight(to_tsvector('dutch'::regconfig, coalesce(title_nl, '')), 'A')"
    " || setweight(to_tsvector('english'::regconfig, coalesce(title_en, '')), 'A')"
    " || setweight(to_tsvector('dutch'::regconfig, catalog_search_text(skills)), 'B')"
    " || setweight(to_tsvector('english'::regconfig, catalog_search_text(skills)), 'B')"
    " || setweight(to_tsvector('english'::regconfig, skill_terms), 'B')"
    " || setweight(to_tsvector('dutch'::regconfig, coalesce(description_nl, '')), 'C')"
    " || setweight(to_tsvector('english'::regconfig, coalesce(description_en, '')), 'C')"
)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0008_offering_start_dates_on_modules")]

    operations = [
        migrations.CreateModel(
            name="SkillTerm",
            fields=[
                ("uri", models.CharField(max_length=200, primary_key=True, serialize=False)),
                ("label_nl", models.CharField(blank=True, default="", max_length=400)),
                ("label_en", models.CharField(blank=True, default="", max_length=400)),
                (
                    "labels",
                    django.contrib.postgres.fields.ArrayField(
                        base_field=models.CharField(max_length=400), default=list, size=None
                    ),
                ),
            ],
            options={
                "indexes": [django.contrib.postgres.indexes.GinIndex(fields=["labels"], name="skillterm_labels_gin")],
            },
        ),
        migrations.RunSQL(
            "ALTER TABLE catalog_module ADD COLUMN skill_terms text NOT NULL DEFAULT '';",
            "ALTER TABLE catalog_module DROP COLUMN skill_terms;",
        ),
        LoadSqlFunction("catalog", "catalog_search_text", "e8aed54f3805", replaces="version"),
        LoadSqlFunction("catalog", "catalog_module_skill_terms", "bc0212705881"),
        migrations.RunSQL(
            "CREATE TRIGGER catalog_module_skill_terms BEFORE INSERT OR UPDATE OF skills ON catalog_module"
            " FOR EACH ROW EXECUTE FUNCTION catalog_module_skill_terms();",
            "DROP TRIGGER catalog_module_skill_terms ON catalog_module;",
        ),
        migrations.RemoveIndex(model_name="module", name="module_search_gin"),
        migrations.RemoveField(model_name="module", name="search_document"),
        migrations.AddField(
            model_name="module",
            name="search_document",
            field=models.GeneratedField(
                db_persist=True,
                expression=django.db.models.expressions.RawSQL(SEARCH_DOCUMENT, []),  # noqa: S611 (our constant SQL)
                output_field=django.contrib.postgres.search.SearchVectorField(),
            ),
        ),
        migrations.AddIndex(
            model_name="module",
            index=django.contrib.postgres.indexes.GinIndex(fields=["search_document"], name="module_search_gin"),
        ),
    ]
