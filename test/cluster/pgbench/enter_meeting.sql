-- A secretary enters a meeting and its attendance in one transaction: an
-- extraordinary meeting on a free (cell, day) slot of bench.slots, every
-- member belonging to the cell that day present or excused, and a marker
-- row in bench.entered.  Committed transactions of this script = rows of
-- bench.entered = meetings with topic 'pgbench slot N'.
BEGIN;
SELECT nextval('bench.slot_seq') AS slot \gset
INSERT INTO chibo.meetings (unit_id, held_on, kind, topic, minutes)
SELECT unit_id, held_on, 'extraordinary', 'pgbench slot ' || :slot, 90
  FROM bench.slots WHERE slot = :slot
RETURNING id AS meeting_id \gset
INSERT INTO chibo.attendance (meeting_id, unit_id, held_on, member_id, status)
SELECT :meeting_id, s.unit_id, s.held_on, ms.member_id,
       (CASE WHEN random() < 0.9 THEN 'present' ELSE 'excused' END)::chibo.attendance_status
  FROM bench.slots s
  JOIN chibo.memberships ms ON ms.unit_id = s.unit_id AND ms.period @> s.held_on
  JOIN chibo.members m ON m.id = ms.member_id AND (m.left_on IS NULL OR m.left_on >= s.held_on)
 WHERE s.slot = :slot;
INSERT INTO bench.entered (slot, meeting_id, client, members)
SELECT :slot, :meeting_id, :client_id, count(*) FROM chibo.attendance WHERE meeting_id = :meeting_id;
END;
