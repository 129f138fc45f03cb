CREATE TABLE account (id bigint PRIMARY KEY, email text NOT NULL);
INSERT INTO account SELECT g, 'user' || g || '@example.com' FROM generate_series(1, 5) g;
