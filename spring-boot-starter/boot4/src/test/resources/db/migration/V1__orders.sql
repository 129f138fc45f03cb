CREATE TABLE orders (id bigint PRIMARY KEY, state text NOT NULL);
INSERT INTO orders SELECT g, 'new' FROM generate_series(1, 20) g;
