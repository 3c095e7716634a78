-- setup: runs first.  Creates the extension and the helper every test uses,
-- and puts chibo on the search_path of the test database (operators live in
-- schema chibo).
CREATE EXTENSION chibo;
SELECT extversion FROM pg_extension WHERE extname = 'chibo';

CREATE SCHEMA regress;

-- Runs one statement and returns 'ok', or the SQLSTATE and message of the
-- error it raised: a compact way to show many errors with their codes.
CREATE FUNCTION regress.try(statement text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE statement;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ' ' || SQLERRM;
END
$$;

DO $$
BEGIN
    EXECUTE format('ALTER DATABASE %I SET search_path = chibo, regress, public',
                   current_database());
END
$$;
