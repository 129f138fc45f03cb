--liquibase formatted sql

--changeset pgguard:1
CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL);

--changeset pgguard:2
-- meant for staging
TRUNCATE accounts;
