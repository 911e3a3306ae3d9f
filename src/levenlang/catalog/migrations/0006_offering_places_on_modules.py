"""Where and when a module's open offerings are, kept on the module row for search.

A facet on offerings (region, distance, start date) as an EXISTS per module is slow when a word matches thousands
of modules: PostgreSQL ranks all matches first and probes offerings for each. These columns let the search filter
on the module row itself (a cheap, conservative pre-filter); the exact EXISTS then runs on the few rows left.

They are maintained by statement-level triggers on catalog_offering (so a bulk insert costs one UPDATE of the
touched modules; their functions are in catalog/sql/) and are deliberately not fields of the Django model: the ORM
never writes them, so a module saved from a form cannot overwrite them with stale values.

- offering_regions: ids of the regions of its active offerings
- offering_areas: the postcode areas (first two digits) of its active offerings with a postcode
- offering_start_min / offering_start_max: first and last start date of its active dated offerings
- offering_anytime: it has an active offering without a start date (self-paced: start any time)
"""

from django.db import migrations

from levenlang.core.sql import SqlFunctionPlaceholder

REFRESH = """
    UPDATE catalog_module m
       SET offering_regions = x.regions, offering_areas = x.areas, offering_start_min = x.start_min,
           offering_start_max = x.start_max, offering_anytime = x.anytime
      FROM (
        SELECT t.id,
               coalesce(array_agg(DISTINCT o.region_id) FILTER (WHERE o.region_id IS NOT NULL), '{}') AS regions,
               coalesce(array_agg(DISTINCT substr(o.postcode, 1, 2)::smallint)
                        FILTER (WHERE o.postcode ~ '^[1-9][0-9]'), '{}') AS areas,
               min(o.start_date) AS start_min, max(o.start_date) AS start_max,
               coalesce(bool_or(o.id IS NOT NULL AND o.start_date IS NULL), false) AS anytime
          FROM (SELECT DISTINCT module_id AS id FROM {source}) t
          LEFT JOIN catalog_offering o ON o.module_id = t.id AND o.state = 'active'
         GROUP BY t.id
      ) x
     WHERE m.id = x.id;
"""

COLUMNS = """
ALTER TABLE catalog_module
    ADD COLUMN offering_regions bigint[] NOT NULL DEFAULT '{}',
    ADD COLUMN offering_areas smallint[] NOT NULL DEFAULT '{}',
    ADD COLUMN offering_start_min date,
    ADD COLUMN offering_start_max date,
    ADD COLUMN offering_anytime boolean NOT NULL DEFAULT false;
CREATE INDEX module_offering_regions_gin ON catalog_module USING gin (offering_regions);
CREATE INDEX module_offering_areas_gin ON catalog_module USING gin (offering_areas);
"""

TRIGGERS = """
CREATE TRIGGER catalog_offering_places_insert AFTER INSERT ON catalog_offering
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION catalog_offering_places_changed();
CREATE TRIGGER catalog_offering_places_delete AFTER DELETE ON catalog_offering
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION catalog_offering_places_changed();
CREATE TRIGGER catalog_offering_places_update AFTER UPDATE ON catalog_offering
    REFERENCING OLD TABLE AS changed_before NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION catalog_offering_places_updated();
"""

DROP_TRIGGERS = """
DROP TRIGGER catalog_offering_places_insert ON catalog_offering;
DROP TRIGGER catalog_offering_places_delete ON catalog_offering;
DROP TRIGGER catalog_offering_places_update ON catalog_offering;
"""

DROP_COLUMNS = """
ALTER TABLE catalog_module DROP COLUMN offering_regions, DROP COLUMN offering_areas, DROP COLUMN offering_start_min,
    DROP COLUMN offering_start_max, DROP COLUMN offering_anytime;
"""


class Migration(migrations.Migration):
    dependencies = [("catalog", "0005_provider_suspension_db_default")]

    operations = [
        migrations.RunSQL(COLUMNS, DROP_COLUMNS),
        # The triggers' functions (catalog/sql/) also fill offering_starts, which 0008 adds; 0008 loads them from
        # their files. Until then they are placeholders that do nothing (on a fresh database nothing writes
        # offerings in between, and 0008 refreshes every module).
        SqlFunctionPlaceholder("catalog", "catalog_offering_places_changed"),
        SqlFunctionPlaceholder("catalog", "catalog_offering_places_updated"),
        migrations.RunSQL(TRIGGERS, DROP_TRIGGERS),
        # Modules that have offerings already. Our own SQL text, no input.
        migrations.RunSQL(REFRESH.replace("{source}", "catalog_offering"), migrations.RunSQL.noop),
    ]
