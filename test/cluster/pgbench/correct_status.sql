-- A secretary corrects one attendance status: the next row of
-- bench.targets (every target a different stored row) goes present ->
-- excused -> absent -> present, and a marker row in bench.corrected
-- records the new status.  Committed transactions of this script = rows of
-- bench.corrected = targets whose stored status is the one recorded.
BEGIN;
SELECT nextval('bench.target_seq') AS n \gset
UPDATE chibo.attendance a
   SET status = (CASE a.status WHEN 'present' THEN 'excused' WHEN 'excused' THEN 'absent' ELSE 'present' END)::chibo.attendance_status
  FROM bench.targets t
 WHERE t.n = :n AND a.id = t.attendance_id
RETURNING a.id AS attendance_id \gset
INSERT INTO bench.corrected (n, attendance_id, status, client)
SELECT :n, id, status, :client_id FROM chibo.attendance WHERE id = :attendance_id;
END;
