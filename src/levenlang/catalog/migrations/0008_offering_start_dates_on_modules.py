"""The start dates of a module's active offerings on the module row (offering_starts), kept by the same triggers as
the other offering_* columns (0006), whose functions are loaded here from catalog/sql/. With them a search by start
date is answered from the module row alone; the per-module EXISTS over offerings is needed only when a place is asked
for as well (the same offering must fit)."""

from django.db import migrations

from levenlang.core.sql import LoadSqlFunction

REFRESH = """
    UPDATE catalog_module m
       SET offering_regions = x.regions, offering_areas = x.areas, offering_start_min = x.start_min,
           offering_start_max = x.start_max, offering_anytime = x.anytime, offering_starts = x.starts
      FROM (
        SELECT t.id,
               coalesce(array_agg(DISTINCT o.region_id) FILTER (WHERE o.region_id IS NOT NULL), '{}') AS regions,
               coalesce(array_agg(DISTINCT substr(o.postcode, 1, 2)::smallint)
                        FILTER (WHERE o.postcode ~ '^[1-9][0-9]'), '{}') AS areas,
               min(o.start_date) AS start_min, max(o.start_date) AS start_max,
               coalesce(bool_or(o.id IS NOT NULL AND o.start_date IS NULL), false) AS anytime,
               coalesce(array_agg(DISTINCT o.start_date) FILTER (WHERE o.start_date IS NOT NULL), '{}') AS starts
          FROM (SELECT DISTINCT module_id AS id FROM {source}) t
          LEFT JOIN catalog_offering o ON o.module_id = t.id AND o.state = 'active'
         GROUP BY t.id
      ) x
     WHERE m.id = x.id;
"""


class Migration(migrations.Migration):
    dependencies = [("catalog", "0007_friendly_constraint_messages")]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE catalog_module ADD COLUMN offering_starts date[] NOT NULL DEFAULT '{}';",
            "ALTER TABLE catalog_module DROP COLUMN offering_starts;",
        ),
        LoadSqlFunction("catalog", "catalog_offering_places_changed", "c2d955547528", replaces="placeholder"),
        LoadSqlFunction("catalog", "catalog_offering_places_updated", "2226962a3594", replaces="placeholder"),
        # Every module, the new column included. Our own SQL text, no input.
        migrations.RunSQL(REFRESH.replace("{source}", "catalog_offering"), migrations.RunSQL.noop),
    ]
