-- V3: launch catalogue.
--
-- Seed rows only. products.id is GENERATED ALWAYS, so it is never listed;
-- sku is the natural key and ON CONFLICT makes a re-run against an
-- environment that was seeded by hand a no-op.

INSERT INTO products (sku, name, description, category, price_cents, attributes)
VALUES
    ('MUG-350-WHT', 'Barista''s Mug', 'Stoneware mug; 350 ml; dishwasher safe', 'kitchen', 1290,
        '{"color": "white", "volume_ml": 350}'),
    ('MUG-350-BLK', 'Barista''s Mug', 'Stoneware mug; 350 ml; dishwasher safe', 'kitchen', 1290,
        '{"color": "black", "volume_ml": 350}'),
    ('BEAN-1KG-ETH', 'Ethiopia Yirgacheffe, 1 kg', 'Washed process -- light roast', 'coffee', 3450,
        '{"origin": "ET", "roast": "light", "weight_g": 1000}'),
    ('BEAN-250-COL', 'Colombia Huila, 250 g', 'Notes of "red apple" and caramel', 'coffee', 1150,
        '{"origin": "CO", "roast": "medium", "weight_g": 250}'),
    ('GRND-HAND-01', 'Hand Grinder', 'Conical burr /* steel */ grinder', 'equipment', 8900,
        '{"burr": "conical", "material": "steel"}'),
    ('FLTR-V60-100', 'Paper Filters (100 pcs)', NULL, 'equipment', 690,
        '{"fits": ["V60-01", "V60-02"]}')
ON CONFLICT (sku) DO NOTHING;
