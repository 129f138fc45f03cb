-- V9: contract step of the orders.status -> orders.state rename (step 4 of 4).
--
-- Runs only after app v2.3 is on every node and v2.2 is gone: nothing reads
-- or writes status any more, so the sync trigger from V4 goes first and the
-- old column after it. Dropping a column is a catalogue-only change (no
-- rewrite) but needs a short ACCESS EXCLUSIVE lock on orders.
SET lock_timeout = '5s';
SET statement_timeout = '15min';

DROP TRIGGER IF EXISTS orders_sync_status_state ON orders;
DROP FUNCTION IF EXISTS orders_sync_status_state();

-- Could not be added while the trigger was live: a default on state would
-- have overwritten the status that v2.2 inserts. Catalogue-only change.
ALTER TABLE orders ALTER COLUMN state SET DEFAULT 'pending';

-- pgguard:ignore drop-column reason="contract step of the state rename; app v2.3 no longer reads status"
ALTER TABLE orders DROP COLUMN status;
