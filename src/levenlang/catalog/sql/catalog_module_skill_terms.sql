-- Before a module's skills are written (trigger catalog_module_skill_terms): a free label that names exactly one
-- skill of catalog_skillterm (its preferred or an alternative label, any language, any case) becomes that skill's URI
-- (the link); then skill_terms gets the labels of every linked skill, which the generated search_document indexes.
-- The skills app fills catalog_skillterm through catalog.services.set_skill_terms after each taxonomy import.
CREATE OR REPLACE FUNCTION catalog_module_skill_terms() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.skills := ARRAY(
        SELECT linked FROM (
            SELECT coalesce(
                       CASE WHEN s.value !~ '^https?://' THEN
                           (SELECT min(t.uri) FROM catalog_skillterm t
                             WHERE t.labels @> ARRAY[lower(btrim(s.value))]::varchar[] HAVING count(*) = 1)
                       END,
                       s.value) AS linked,
                   s.n
              FROM unnest(NEW.skills) WITH ORDINALITY AS s(value, n)
        ) AS each_one
        GROUP BY linked ORDER BY min(n));
    NEW.skill_terms := coalesce(
        (SELECT string_agg(array_to_string(t.labels, ' '), ' ' ORDER BY t.uri)
           FROM catalog_skillterm t WHERE t.uri = ANY(NEW.skills)),
        '');
    RETURN NEW;
END $$;
