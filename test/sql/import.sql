-- The CSV import of the data contract (docs/import.md): the contract's
-- \copy lines, then chibo.import_staged().
SELECT regress.reset();

-- 1. A good batch, loaded with the contract's lines unchanged.  Its files
-- list a cell before its committee and a member's memberships in any
-- order; a member's transfer (TH-0002 from TH.BUOI.02 to TH.BUOI.01) and the
-- member come in the same batch.
\cd test/data/import/small
-- test/data/import/contract.sql holds the contract's lines, word for word.
\i ../contract.sql

-- What it stored: the tree, the history of memberships, the attendance.
SELECT u.code, p.code AS parent, u.kind, u.grassroots, u.cell_type, u.valid_from, u.valid_to
FROM chibo.units u LEFT JOIN chibo.units p ON p.id = u.parent_id ORDER BY u.code;
SELECT m.code, u.code AS cell, ms.from_date, ms.to_date
FROM chibo.memberships ms JOIN chibo.members m ON m.id = ms.member_id JOIN chibo.units u ON u.id = ms.unit_id
ORDER BY m.code, ms.from_date;
SELECT u.code, mt.held_on, mt.kind, m.code AS member, a.status
FROM chibo.attendance a JOIN chibo.meetings mt ON mt.id = a.meeting_id
JOIN chibo.units u ON u.id = mt.unit_id JOIN chibo.members m ON m.id = a.member_id
ORDER BY u.code, mt.held_on, m.code;
SELECT full_name FROM chibo.members WHERE code = 'TH-0005';
SELECT outcome, count(*) FROM chibo.task_registrations GROUP BY outcome ORDER BY outcome;
SELECT a.subject_kind, s.code, a.period_start, a.criteria FROM chibo.assessments a JOIN chibo.schemes s ON s.id = a.scheme_id ORDER BY 1, 2, 3;
-- Staging is empty after the import.
SELECT (SELECT count(*) FROM chibo_import.units) + (SELECT count(*) FROM chibo_import.attendance)
     + (SELECT count(*) FROM chibo_import.members) AS staged_rows_left;

-- 2. Importing the same files again changes nothing: every table keeps its
-- rows and not one row is rewritten (the hash covers each row's xmin).
CREATE TEMP TABLE before AS SELECT * FROM regress.snapshot(versions => true);
\i ../contract.sql
SELECT count(*) AS tables, count(*) FILTER (WHERE s IN (SELECT * FROM before)) AS unchanged
FROM regress.snapshot(versions => true) s;
SELECT count(*) AS rejects FROM chibo_import.rejects;

-- 3. The order of rows does not matter: the same files staged in reverse
-- order give the same data.
CREATE TEMP TABLE in_order AS SELECT * FROM regress.contents();
SELECT regress.reset();
CREATE TEMP TABLE staged_units (code text, parent_code text, name text, kind text, grassroots text, cell_type text, valid_from text, valid_to text);
\copy staged_units FROM 'units.csv' CSV HEADER
INSERT INTO chibo_import.units SELECT * FROM staged_units ORDER BY code DESC;
CREATE TEMP TABLE staged_memberships (member_code text, unit_code text, from_date text, to_date text);
\copy staged_memberships FROM 'memberships.csv' CSV HEADER
INSERT INTO chibo_import.memberships SELECT * FROM staged_memberships ORDER BY from_date DESC, member_code DESC;
\copy chibo_import.members         FROM 'members.csv'         CSV HEADER
\copy chibo_import.exemptions      FROM 'exemptions.csv'      CSV HEADER
\copy chibo_import.meetings        FROM 'meetings.csv'        CSV HEADER
\copy chibo_import.attendance      FROM 'attendance.csv'      CSV HEADER
\copy chibo_import.task_registrations FROM 'task_registrations.csv' CSV HEADER
\copy chibo_import.assessments     FROM 'assessments.csv'     CSV HEADER
\copy chibo_import.classifications FROM 'classifications.csv' CSV HEADER
SELECT * FROM chibo.import_staged() WHERE rejected > 0;
-- Same rows (ids aside, which follow the order of insertion).
SELECT (SELECT count(*) FROM in_order) AS rows_in_order,
       (SELECT count(*) FROM regress.contents()) AS rows_reordered,
       (SELECT count(*) FROM (SELECT * FROM in_order EXCEPT SELECT * FROM regress.contents()) d) AS differences;
\cd ../../../..

-- 4. Every rule of the contract, file by file: each bad row is rejected
-- with a reason that names the row and the rule, and the good rows of the
-- same files are applied.  (The good batch above is in the database.)
COPY chibo_import.units FROM STDIN WITH (FORMAT csv, HEADER true);
code,parent_code,name,kind,grassroots,cell_type,valid_from,valid_to
TH.BUOI.03,TH.BUOI,Chi bộ tổ dân phố số 3,cell,false,residential,2022-01-01,
,TH,No code,committee,true,,2020-01-01,
TH.X1,TH.NOPE,Unknown parent,cell,false,other,2020-01-01,
TH.X2,TH,,cell,false,other,2020-01-01,
TH.X3,TH,Bad kind,branch,false,other,2020-01-01,
TH.X4,TH,Bad grassroots,cell,yes,other,2020-01-01,
TH.X5,TH,Bad cell type,cell,false,army,2020-01-01,
TH.X6,TH,Committee with type,committee,false,school,2020-01-01,
TH.X7,TH,Cell without type,cell,false,,2020-01-01,
TH.X8,TH,Bad date,cell,false,other,2020-02-30,
TH.X9,TH,No start,cell,false,other,,
TH.X10,TH,Ends before start,cell,false,other,2021-01-01,2020-06-01
TH.X11,TH,Born before parent,cell,false,other,2019-01-01,
TH.X12,TH.CVA,Child of a cell,cell,false,other,2021-01-01,
TH.X13,TH.X14,Loop A,committee,false,,2021-01-01,
TH.X14,TH.X13,Loop B,committee,false,,2021-01-01,
TH.X15,TH.X15,Own parent,committee,false,,2021-01-01,
TH.X16,TH,First copy,cell,false,other,2021-01-01,
TH.X16,TH,Second copy differs,cell,false,other,2021-01-01,
TH.X17,TH,Same row twice,cell,false,other,2021-01-01,
TH.X17,TH,Same row twice,cell,false,other,2021-01-01,
TH.X18,TH.X1,Child of a rejected unit,cell,false,other,2021-01-01,
TH.BUOI.02,TH.BUOI,Chi bộ tổ dân phố số 2,cell,false,residential,2020-01-01,2022-01-01
\.
COPY chibo_import.members FROM STDIN WITH (FORMAT csv, HEADER true);
code,full_name,gender,birth_date,admitted_on,full_member_on,left_on,left_reason
TH-0100,Đỗ Thị Giang,female,1980-01-01,2005-01-01,2006-01-01,,
,No code,,,2005-01-01,,,
TH-0101,,male,,2005-01-01,,,
TH-0102,Bad gender,nam,,2005-01-01,,,
TH-0103,Bad birth date,,01/02/1980,2005-01-01,,,
TH-0104,No admission,,,,,,
TH-0105,Full before admitted,,,2005-01-01,2004-12-31,,
TH-0106,Left before admitted,,,2005-01-01,,2004-12-31,died
TH-0107,Left without reason,,,2005-01-01,,2020-01-01,
TH-0108,Bad reason,,,2005-01-01,,2020-01-01,moved
TH-0109,Ngô Văn Hải,male,,2021-01-01,2022-01-01,,
TH-0002,Trần Thị Bình,female,1975-11-20,2000-03-02,2001-03-02,2023-01-01,resigned
\.
COPY chibo_import.memberships FROM STDIN WITH (FORMAT csv, HEADER true);
member_code,unit_code,from_date,to_date
TH-0100,TH.BUOI.03,2022-01-01,
TH-0999,TH.BUOI.01,2022-01-01,
TH-0100,TH.NOPE,2022-01-01,
TH-0100,TH.BUOI,2020-01-01,2021-01-01
TH-0100,TH.BUOI.01,,
TH-0100,TH.BUOI.01,2021-01-01,2020-01-01
TH-0100,TH.BUOI.01,2021-13-01,
TH-0100,TH.BUOI.03,2021-01-01,2022-01-01
TH-0005,TH.BUOI.01,2023-01-01,
TH-0004,TH.BUOI.01,2023-01-01,2023-06-01
TH-0001,TH.BUOI.01,2020-01-01,2023-07-01
TH-0109,TH.BUOI.03,2022-01-01,2023-01-01
TH-0109,TH.BUOI.01,2022-06-01,
\.
COPY chibo_import.exemptions FROM STDIN WITH (FORMAT csv, HEADER true);
member_code,from_date,to_date,reason
TH-0100,2023-01-01,2023-06-01,health
TH-0999,2023-01-01,,age
TH-0100,,,age
TH-0002,2023-01-01,2022-01-01,age
TH-0002,2023-02-01,,tired
TH-0002,2023-03-01,,
\.
COPY chibo_import.meetings FROM STDIN WITH (FORMAT csv, HEADER true);
unit_code,held_on,kind,topic,minutes
TH.BUOI.03,2023-07-05,regular,,90
TH.NOPE,2023-07-05,regular,,
TH.BUOI,2023-07-05,regular,,
TH.BUOI.03,2021-07-05,regular,,
TH.BUOI.03,2999-01-01,regular,,
TH.BUOI.03,2023-08-05,monthly,,
TH.BUOI.03,2023-08-05,regular,,0
TH.BUOI.03,2023-08-06,regular,,ninety
TH.BUOI.03,2023-08-07,regular,,-5
TH.BUOI.03,5/8/2023,regular,,
TH.BUOI.03,,regular,,
\.
COPY chibo_import.attendance FROM STDIN WITH (FORMAT csv, HEADER true);
unit_code,held_on,meeting_kind,member_code,status
TH.BUOI.03,2023-07-05,regular,TH-0100,present
TH.BUOI.03,2023-07-05,regular,TH-0001,present
TH.BUOI.01,2023-07-05,regular,TH-0005,present
TH.BUOI.02,2023-07-05,regular,TH-0002,present
TH.BUOI.03,2023-07-05,combined,TH-0100,present
TH.BUOI.03,2023-07-06,regular,TH-0100,present
TH.BUOI.03,2023-07-05,regular,TH-0999,present
TH.BUOI.03,2023-07-05,regular,TH-0100,late
TH.NOPE,2023-07-05,regular,TH-0100,present
TH.BUOI.01,2023-09-06,combined,TH-0004,present
TH.BUOI.01,2023-09-06,combined,TH-0004,absent
\.
COPY chibo_import.task_registrations FROM STDIN WITH (FORMAT csv, HEADER true);
member_code,year,kind,title,outcome
TH-0100,2023,difficult,Giải quyết đơn thư tồn đọng,
TH-0999,2023,new,Unknown member,
TH-0100,23,new,Short year,
TH-0100,2023,easy,Bad kind,
TH-0100,2023,new,,
TH-0100,2023,new,Bad outcome,done
TH-0002,2023,new,Số hóa hồ sơ đảng viên,not_completed
\.
COPY chibo_import.assessments FROM STDIN WITH (FORMAT csv, HEADER true);
subject_kind,subject_code,scheme,period_start,period_end,criteria
member,TH-0100,DV4T,2023-01-01,2023-12-31,1011
ward,TH-0100,DV4T,2023-01-01,2023-12-31,1111
member,TH-0999,DV4T,2023-01-01,2023-12-31,1111
cell,TH.NOPE,CB4T,2023-01-01,2023-12-31,1111
cell,TH.BUOI,CB4T,2023-01-01,2023-12-31,1111
member,TH-0100,XX9,2023-01-01,2023-12-31,1111
member,TH-0100,CB4T,2022-01-01,2022-12-31,1111
member,TH-0100,DV4T,2022-12-31,2022-01-01,1111
member,TH-0100,DV4T,2021-01-01,2021-12-31,111
member,TH-0100,DV4T,2020-01-01,2020-12-31,11x1
member,TH-0100,DV5T,2024-01-01,2024-12-31,1111
member,TH-0002,DV4T,2023-01-01,2023-12-31,0111
\.
COPY chibo_import.classifications FROM STDIN WITH (FORMAT csv, HEADER true);
subject_kind,subject_code,year,grade,score
member,TH-0100,2023,completed,65.25
member,TH-0999,2023,good,
cell,TH.NOPE,2023,good,
member,TH-0100,2O23,good,
member,TH-0100,2022,great,
member,TH-0100,2021,good,100.01
member,TH-0100,2020,good,80.125
member,TH-0100,2019,good,-1
member,TH-0100,2018,good,tám mươi
cell,TH.CVA,2023,excellent,96
\.
SELECT * FROM chibo.import_staged();
SELECT file, line, reason FROM chibo_import.rejects ORDER BY file, line;
-- A reject keeps the row exactly as it was loaded.
SELECT "row" FROM chibo_import.rejects WHERE file = 'members.csv' AND line = 5;
-- The good rows were applied, and the good updates of stored rows too
-- (an outcome, a criteria string, a grade).  Updates that would break
-- stored rows were rejected: TH.BUOI.02 cannot close before TH-0003's
-- membership ends, TH-0001's membership cannot end before the attendance
-- recorded under it, TH-0002 cannot leave before meetings they attended.
SELECT code, valid_to FROM chibo.units WHERE code IN ('TH.BUOI.02', 'TH.BUOI.03', 'TH.X16', 'TH.X17') ORDER BY code;
SELECT code, left_on FROM chibo.members WHERE code IN ('TH-0002', 'TH-0100') ORDER BY code;
SELECT m.code, u.code AS cell, ms.from_date, ms.to_date
FROM chibo.memberships ms JOIN chibo.members m ON m.id = ms.member_id JOIN chibo.units u ON u.id = ms.unit_id
WHERE m.code IN ('TH-0001', 'TH-0004', 'TH-0100') ORDER BY m.code, ms.from_date;
SELECT t.title, t.outcome FROM chibo.task_registrations t ORDER BY t.title;
SELECT m.code, a.criteria FROM chibo.assessments a JOIN chibo.members m ON m.id = a.member_id
WHERE m.code IN ('TH-0002', 'TH-0100') ORDER BY m.code, a.period_start;
SELECT coalesce(m.code, u.code) AS subject, c.year, c.grade, c.score FROM chibo.classifications c
LEFT JOIN chibo.members m ON m.id = c.member_id LEFT JOIN chibo.units u ON u.id = c.unit_id
WHERE coalesce(m.code, u.code) IN ('TH-0100', 'TH.CVA') ORDER BY 1, 2;

-- 5. One set of rules: the same row entered directly is refused with the
-- same message, and the SQLSTATE of its constraint class.
SELECT try(format($$INSERT INTO chibo.attendance (meeting_id, member_id, status)
                    SELECT mt.id, %s, 'present' FROM chibo.meetings mt JOIN chibo.units u ON u.id = mt.unit_id
                     WHERE u.code = 'TH.BUOI.03' AND mt.held_on = '2023-07-05'$$,
                  (SELECT id FROM chibo.members WHERE code = 'TH-0001'))) AS direct_insert,
       (SELECT reason FROM chibo_import.rejects WHERE file = 'attendance.csv' AND line = 2) AS import_reason;

-- 6. A batch applies completely or not at all.  An error that is not a
-- broken rule (here a trigger of the user's that fails on one meeting)
-- aborts the batch: nothing of it is applied, no rejects are kept, and the
-- staged rows wait for the next try.
CREATE FUNCTION regress.fail_on_boom() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.topic = 'boom' THEN RAISE EXCEPTION 'the meetings server is down'; END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER fail_on_boom BEFORE INSERT ON chibo.meetings FOR EACH ROW EXECUTE FUNCTION regress.fail_on_boom();
CREATE TEMP TABLE before_failure AS SELECT * FROM regress.snapshot(versions => true);
SELECT count(*) AS rejects_before FROM chibo_import.rejects \gset
COPY chibo_import.units FROM STDIN WITH (FORMAT csv, HEADER true);
code,parent_code,name,kind,grassroots,cell_type,valid_from,valid_to
TH.BUOI.04,TH.BUOI,Chi bộ tổ dân phố số 4,cell,false,residential,2022-01-01,
TH.BAD,TH,,cell,false,other,2020-01-01,
\.
COPY chibo_import.meetings FROM STDIN WITH (FORMAT csv, HEADER true);
unit_code,held_on,kind,topic,minutes
TH.BUOI.04,2023-07-05,regular,boom,
\.
SELECT try('SELECT * FROM chibo.import_staged()') AS failed_batch;
SELECT count(*) AS tables, count(*) FILTER (WHERE s IN (SELECT * FROM before_failure)) AS unchanged
FROM regress.snapshot(versions => true) s;
SELECT count(*) - :rejects_before AS new_rejects FROM chibo_import.rejects;
SELECT (SELECT count(*) FROM chibo_import.units) AS staged_units, (SELECT count(*) FROM chibo_import.meetings) AS staged_meetings;
DROP TRIGGER fail_on_boom ON chibo.meetings;
SELECT * FROM chibo.import_staged() WHERE accepted + rejected > 0;
SELECT file, line, reason FROM chibo_import.rejects WHERE batch = (SELECT max(batch) FROM chibo_import.rejects);

-- 7. A rule the import does not know in advance (here a CHECK constraint a
-- site added to its meetings) fails while applying: the import then
-- applies the file's rows one by one, rejects only the row that breaks it,
-- with the constraint's message, and keeps the others.
ALTER TABLE chibo.meetings ADD CONSTRAINT meetings_topic_site_rule CHECK (topic IS DISTINCT FROM 'cấm');
COPY chibo_import.meetings FROM STDIN WITH (FORMAT csv, HEADER true);
unit_code,held_on,kind,topic,minutes
TH.BUOI.04,2023-08-05,regular,Sinh hoạt tháng 8,
TH.BUOI.04,2023-09-05,regular,cấm,
TH.BUOI.04,2023-10-05,regular,Sinh hoạt tháng 10,
\.
SELECT * FROM chibo.import_staged() WHERE accepted + rejected > 0;
SELECT file, line, reason FROM chibo_import.rejects WHERE batch = (SELECT max(batch) FROM chibo_import.rejects);
SELECT held_on, topic FROM chibo.meetings mt JOIN chibo.units u ON u.id = mt.unit_id
WHERE u.code = 'TH.BUOI.04' ORDER BY held_on;
ALTER TABLE chibo.meetings DROP CONSTRAINT meetings_topic_site_rule;
