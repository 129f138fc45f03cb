-- V7: quick fixes for the Q3 reporting dashboards (ticket REP-412).
--
-- Requested by the data team before the board meeting; the tables are
-- small in staging, so these were done the direct way.
SET lock_timeout = '5s';
SET statement_timeout = '15min';

-- Dashboards filter orders by day.
CREATE INDEX orders_created_at_idx ON orders (created_at);

-- Wholesale accounts order filter paper by the pallet; quantities are
-- getting close to the int4 limit in the bulk import.
ALTER TABLE order_items ALTER COLUMN quantity TYPE bigint;

-- Stable external id for the warehouse export, one per order.
ALTER TABLE orders ADD COLUMN export_ref uuid DEFAULT gen_random_uuid();

-- Old orders never got a currency; everything before 2023 was EUR.
UPDATE orders SET currency = 'EUR' WHERE currency IS NULL;
ALTER TABLE orders ALTER COLUMN currency SET NOT NULL;

-- Nightly snapshot written by the BI tool's loader, which insists on its own
-- column names and types.
CREATE TABLE daily_sales_report (
    report_date    date PRIMARY KEY,
    "generatedBy"  varchar(255) NOT NULL,
    generated_at   timestamp    NOT NULL DEFAULT now(),
    payload        json         NOT NULL
);
