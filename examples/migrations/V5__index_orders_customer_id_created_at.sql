-- V5: index for "my orders" (customer_id = $1 ORDER BY created_at DESC).
--
-- Flyway: CREATE INDEX CONCURRENTLY cannot run inside a transaction block,
-- so this file holds nothing but SET statements and that one statement.
-- Flyway then runs it outside a transaction. This needs flyway.mixed=true
-- (the SETs count as transactional statements) and
-- flyway.postgresql.transactional.lock=false (otherwise Flyway's own lock
-- keeps a transaction open that the index build would wait on forever).
-- Keep it that way: do not add other DDL to this file.
--
-- If the build fails half way it leaves an INVALID index behind, and
-- IF NOT EXISTS would then happily skip it on the re-run: check
-- pg_index.indisvalid, DROP INDEX CONCURRENTLY the leftover, and re-run.
SET lock_timeout = '5s';
SET statement_timeout = '15min';

CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_customer_id_created_at_idx
    ON orders (customer_id, created_at DESC);
