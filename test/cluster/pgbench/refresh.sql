-- The refresh, in a loop (one client): what pg_cron would run.
SELECT count(*) FROM chibo.refresh_reports();
