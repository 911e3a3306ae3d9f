-- The free skill labels of a module as one text, for its generated search_document column: the elements that are not
-- skill URIs (a linked skill's labels reach the document through skill_terms, kept by catalog_module_skill_terms).
-- array_to_string is only STABLE, so a generated column may not call it; joining labels with a space does not depend
-- on any setting, so this wrapper is safely IMMUTABLE.
CREATE OR REPLACE FUNCTION catalog_search_text(varchar[]) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT array_to_string(ARRAY(SELECT s FROM unnest($1) AS s WHERE s !~ '^https?://'), ' ') $$;
