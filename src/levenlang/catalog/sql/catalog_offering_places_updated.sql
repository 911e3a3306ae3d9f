-- The same as catalog_offering_places_changed, for UPDATE on catalog_offering (trigger
-- catalog_offering_places_update): the modules on both sides are refreshed, since an offering may change module.
CREATE OR REPLACE FUNCTION catalog_offering_places_updated() RETURNS trigger LANGUAGE plpgsql AS $$
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
          FROM (SELECT DISTINCT module_id AS id
                  FROM (SELECT module_id FROM changed UNION SELECT module_id FROM changed_before) AS both_sides) t
          LEFT JOIN catalog_offering o ON o.module_id = t.id AND o.state = 'active'
         GROUP BY t.id
      ) x
     WHERE m.id = x.id;
    RETURN NULL;
END $$;
