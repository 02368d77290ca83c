-- Run once by the postgres image on an empty data folder (docker-entrypoint-initdb.d), in POSTGRES_DB as the superuser.
-- pg_stat_statements needs shared_preload_libraries (set in docker-compose.yml) and a superuser to create.
CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
