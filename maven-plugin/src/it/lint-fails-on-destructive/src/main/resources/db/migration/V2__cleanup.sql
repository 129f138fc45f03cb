-- a cleanup that was meant for the staging copy
DELETE FROM orders;
