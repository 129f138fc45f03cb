-- V2: catalogue and order lines.
--
-- products and order_items are new, but the foreign key from order_items to
-- orders takes a SHARE ROW EXCLUSIVE lock on orders (created in V1 and already
-- receiving writes in staging), so give up quickly instead of queueing
-- behind a long transaction and blocking every checkout behind us.
SET lock_timeout = '5s';
SET statement_timeout = '15min';

CREATE TABLE products (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sku          text        NOT NULL,
    name         text        NOT NULL,
    description  text,
    category     text,
    price_cents  bigint      NOT NULL,
    attributes   jsonb       NOT NULL DEFAULT '{}'::jsonb,
    active       boolean     NOT NULL DEFAULT true,
    created_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT products_sku_key UNIQUE (sku),
    CONSTRAINT products_price_nonnegative CHECK (price_cents >= 0)
);

CREATE TABLE order_items (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id          bigint      NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    product_id        bigint      NOT NULL,
    quantity          integer     NOT NULL CHECK (quantity > 0),
    unit_price_cents  bigint      NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now()
);

-- order_items is created just above and is empty, so a plain CREATE INDEX is
-- fine here (CONCURRENTLY would not even be allowed inside this transaction).
CREATE INDEX order_items_order_id_idx ON order_items (order_id);
CREATE INDEX order_items_product_id_idx ON order_items (product_id);
