-- Event triggers not created by an extension. Database-wide: read only when no schema is given.
SELECT e.oid,
       e.evtname AS name,
       e.evtevent AS event,
       e.evttags AS tags,  -- (as given: the order is the one pg_dump writes)
       e.evtfoid::regproc::text AS function,
       e.evtenabled AS enabled,
       obj_description(e.oid, 'pg_event_trigger') AS comment
FROM pg_event_trigger e
WHERE :schemas::text[] IS NULL
  AND :not_ext(pg_event_trigger, e.oid)
