-- A module's offering_* columns (regions, postcode areas, first and last start date, start dates, "start any time")
-- always describe its active offerings, so that search can filter on the module row instead of probing offerings
-- for every match. Statement-level triggers catalog_offering_places_insert and _delete on catalog_offering (transition
-- table "changed"): one UPDATE of the touched modules per statement, so a bulk import stays cheap. The columns are not
-- model fields on purpose: the ORM never writes them, so a module saved from a form cannot overwrite them.
CREATE OR REPLACE FUNCTION catalog_offering_places_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
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
          FROM (SELECT DISTINCT module_id AS id FROM changed) t
          LEFT JOIN catalog_offering o ON o.module_id = t.id AND o.state = 'active'
         GROUP BY t.id
      ) x
     WHERE m.id = x.id;
    RETURN NULL;
END $$;
