-- V8: validate what V4 added NOT VALID, add and validate the state check, then make orders.state
-- NOT NULL (rename, step 3 of 4).
--
-- VALIDATE CONSTRAINT scans the table but only takes SHARE UPDATE EXCLUSIVE
-- (reads and writes keep going); the FK validation also takes ROW SHARE on
-- products.
SET lock_timeout = '5s';
SET statement_timeout = '15min';

ALTER TABLE order_items VALIDATE CONSTRAINT order_items_product_id_fkey;

ALTER TABLE orders VALIDATE CONSTRAINT orders_total_cents_nonnegative;

-- Every row has a state since V6 and the V4 trigger fills it for new rows.
-- NOT VALID: only new rows are checked, no scan under the strong lock.
ALTER TABLE orders
    ADD CONSTRAINT orders_state_not_null_check
    CHECK (state IS NOT NULL) NOT VALID;

ALTER TABLE orders VALIDATE CONSTRAINT orders_state_not_null_check;

/*
 * With a validated CHECK (state IS NOT NULL) in place, PostgreSQL 12+ proves
 * the column has no NULLs from the constraint and skips the full-table scan,
 * so SET NOT NULL only needs its ACCESS EXCLUSIVE lock for a moment.
 * /* Without the check it would scan every row of orders while holding that
 *    lock, blocking all reads and writes for the whole scan. */
 */
ALTER TABLE orders ALTER COLUMN state SET NOT NULL;

-- The NOT NULL column constraint now does the job; the CHECK is redundant.
ALTER TABLE orders DROP CONSTRAINT orders_state_not_null_check;
