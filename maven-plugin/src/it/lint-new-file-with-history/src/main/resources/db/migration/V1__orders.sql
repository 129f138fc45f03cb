CREATE TABLE orders (id bigint PRIMARY KEY, code varchar(10));
DROP TABLE legacy_orders;
