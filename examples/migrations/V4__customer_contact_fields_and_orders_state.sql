-- V4: release 2.2 schema changes.
--
--  1. customers gets a phone number and a marketing opt-in flag.
--  2. order_items.product_id finally gets its foreign key (V2 shipped
--     without one) and orders gets a sanity check on totals. Both are added
--     NOT VALID so only new writes are checked and no table scan happens
--     under the lock; they are validated in V8.
--  3. Expand step of the orders.status -> orders.state rename: add the new
--     column (nullable, no default) and a trigger that keeps both columns in
--     sync while app v2.2 (writes status) and v2.3 (writes state) run side by
--     side. Backfill is V6, NOT NULL is V8, dropping status is V9.
SET lock_timeout = '5s';
SET statement_timeout = '15min';

-- 1. customers ---------------------------------------------------------------

-- Nullable, no default: catalogue-only change, no rewrite.
ALTER TABLE customers ADD COLUMN phone text;

-- NOT NULL with a constant default: since PostgreSQL 11 the default is stored
-- in the catalogue and existing rows are not rewritten.
ALTER TABLE customers ADD COLUMN marketing_opt_in boolean NOT NULL DEFAULT false;

-- 2. constraints, not validated yet -------------------------------------------

ALTER TABLE order_items
    ADD CONSTRAINT order_items_product_id_fkey
    FOREIGN KEY (product_id) REFERENCES products (id) NOT VALID;

ALTER TABLE orders
    ADD CONSTRAINT orders_total_cents_nonnegative
    CHECK (total_cents >= 0) NOT VALID;

-- 3. expand: orders.state ----------------------------------------------------

ALTER TABLE orders ADD COLUMN state text;

COMMENT ON COLUMN orders.state IS E'Order lifecycle state; replaces orders.status (app v2.3+).\nValues: pending, paid, shipped, cancelled, refunded.\nDon''t write status from new code: the sync trigger does it until V9.';

CREATE OR REPLACE FUNCTION orders_sync_status_state() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    -- v2.2 writes only status, v2.3 writes only state; mirror whichever one
    -- the statement touched into the other column.
    IF TG_OP = 'INSERT' THEN
        IF NEW.state IS NULL THEN
            NEW.state := NEW.status;
        ELSE
            NEW.status := NEW.state;
        END IF;
    ELSIF NEW.state IS DISTINCT FROM OLD.state THEN
        NEW.status := NEW.state;
    ELSIF NEW.status IS DISTINCT FROM OLD.status THEN
        NEW.state := NEW.status;
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER orders_sync_status_state
    BEFORE INSERT OR UPDATE ON orders
    FOR EACH ROW
    EXECUTE FUNCTION orders_sync_status_state();
