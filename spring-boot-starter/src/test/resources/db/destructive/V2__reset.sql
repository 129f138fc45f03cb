-- meant for staging
TRUNCATE orders;
