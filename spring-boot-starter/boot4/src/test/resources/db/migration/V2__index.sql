CREATE INDEX orders_state_idx ON orders (state);
