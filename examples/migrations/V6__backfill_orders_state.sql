-- V6: backfill orders.state from orders.status (rename, step 2 of 4).
-- Data only: the constraint that holds new writes to it comes in V8, so no
-- schema lock is held while the batches run.
--
-- Rows are updated in id ranges of 5000 with a short pause between batches
-- so that autovacuum and the replicas keep up. Note that a DO block runs as a
-- single statement: under Flyway the whole file is one transaction, so the
-- batches are NOT committed one by one (COMMIT inside DO is not allowed
-- within a transaction block) and the row locks are held until the end.
-- That is acceptable at our current size (~2M orders); for a bigger table
-- move this loop into a job that commits after each batch.
SET lock_timeout = '5s';
SET statement_timeout = '15min';

DO $backfill$
DECLARE
    batch_size constant bigint := 5000;
    lo      bigint;
    max_id  bigint;
    touched bigint;
    total   bigint := 0;
BEGIN
    SELECT min(id), max(id) INTO lo, max_id FROM orders;
    IF lo IS NULL THEN
        RAISE NOTICE 'orders is empty, nothing to backfill';
        RETURN;
    END IF;

    WHILE lo <= max_id LOOP
        UPDATE orders
           SET state = status
         WHERE id BETWEEN lo AND lo + batch_size - 1
           AND state IS NULL;
        GET DIAGNOSTICS touched = ROW_COUNT;
        total := total + touched;
        RAISE NOTICE 'orders.state backfill: ids %..% -> % rows', lo, lo + batch_size - 1, touched;

        lo := lo + batch_size;
        PERFORM pg_sleep(0.05);
    END LOOP;

    RAISE NOTICE 'orders.state backfill done: % rows', total;
END
$backfill$;
