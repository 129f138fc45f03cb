-- V1: initial schema for the shop service.
--
-- New tables only, so nothing here has to wait for a lock held by live
-- traffic. Conventions used from here on:
--   * bigint identity primary keys (GENERATED ALWAYS, never serial/int)
--   * text instead of varchar(n); length rules belong in CHECK constraints
--   * timestamptz for every point in time
--   * jsonb for free-form attributes

CREATE TABLE customers (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email       text        NOT NULL,
    name        text        NOT NULL,
    metadata    jsonb       NOT NULL DEFAULT '{}'::jsonb,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT customers_email_key UNIQUE (email),
    CONSTRAINT customers_email_length CHECK (length(email) <= 320)
);

CREATE TABLE orders (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id       bigint      NOT NULL REFERENCES customers (id),
    status            text        NOT NULL DEFAULT 'pending',
    total_cents       bigint      NOT NULL DEFAULT 0,
    currency          text                 DEFAULT 'EUR',
    shipping_address  jsonb,
    placed_at         timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE customers IS 'People who can place orders. One row per login email.';
COMMENT ON TABLE orders IS 'Checkout orders. Money is stored as integer cents in orders.currency.';
COMMENT ON COLUMN orders.status IS 'pending | paid | shipped | cancelled | refunded';
