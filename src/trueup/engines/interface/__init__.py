"""The interface between the engine-neutral pipeline and the database engines.

``sql``: statements, hazards and changes (the vocabulary every engine's SQL carries);
``generators``: the SQL generator of one kind of object, and what it may look at; ``session``:
one open database and what the fleet does there; ``state``: trueup's bookkeeping (journal,
stored probes); ``rows``: reference-data repairs; ``engine``: the engine itself.
"""
