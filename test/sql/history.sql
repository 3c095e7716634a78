-- History is data: the tree, memberships and exemptions change by new
-- periods, not by overwriting.  On 1 July 2025 Hanoi abolished the district
-- level: here district TH and its ward committee TH.BUOI close on that day,
-- a new ward committee P.TAYHO opens, its cell P.TAYHO.01 takes over the
-- members of TH.BUOI.01 (which closes), and a report for 2024 still sees
-- the 2024 tree.
SELECT regress.reset();

COPY chibo_import.units FROM STDIN WITH (FORMAT csv, HEADER true);
code,parent_code,name,kind,grassroots,cell_type,valid_from,valid_to
TH,,Đảng bộ quận Tây Hồ,committee,true,,2020-01-01,
TH.BUOI,TH,Đảng bộ phường Bưởi,committee,true,,2020-01-01,
TH.BUOI.01,TH.BUOI,Chi bộ tổ dân phố số 1,cell,false,residential,2020-01-01,
\.
COPY chibo_import.members FROM STDIN WITH (FORMAT csv, HEADER true);
code,full_name,gender,birth_date,admitted_on,full_member_on,left_on,left_reason
TH-0001,Nguyễn Văn An,male,,1985-05-05,1986-05-05,,
TH-0002,Trần Thị Bình,female,,2000-03-02,2001-03-02,,
\.
COPY chibo_import.memberships FROM STDIN WITH (FORMAT csv, HEADER true);
member_code,unit_code,from_date,to_date
TH-0001,TH.BUOI.01,2020-01-01,
TH-0002,TH.BUOI.01,2020-01-01,
\.
COPY chibo_import.exemptions FROM STDIN WITH (FORMAT csv, HEADER true);
member_code,from_date,to_date,reason
TH-0001,2024-01-01,,age
\.
SELECT * FROM chibo.import_staged() WHERE accepted + rejected > 0;

-- The restructure arrives as the next export: the old units now end on
-- 2025-07-01, the new ones begin that day, the memberships follow, the
-- exemption ends.  Re-sent rows with a new end date update the stored ones.
COPY chibo_import.units FROM STDIN WITH (FORMAT csv, HEADER true);
code,parent_code,name,kind,grassroots,cell_type,valid_from,valid_to
TH,,Đảng bộ quận Tây Hồ,committee,true,,2020-01-01,2025-07-01
TH.BUOI,TH,Đảng bộ phường Bưởi,committee,true,,2020-01-01,2025-07-01
TH.BUOI.01,TH.BUOI,Chi bộ tổ dân phố số 1,cell,false,residential,2020-01-01,2025-07-01
P.TAYHO,,Đảng bộ phường Tây Hồ,committee,true,,2025-07-01,
P.TAYHO.01,P.TAYHO,Chi bộ tổ dân phố số 1,cell,false,residential,2025-07-01,
\.
COPY chibo_import.memberships FROM STDIN WITH (FORMAT csv, HEADER true);
member_code,unit_code,from_date,to_date
TH-0001,TH.BUOI.01,2020-01-01,2025-07-01
TH-0001,P.TAYHO.01,2025-07-01,
TH-0002,TH.BUOI.01,2020-01-01,2025-07-01
TH-0002,P.TAYHO.01,2025-07-01,
\.
COPY chibo_import.exemptions FROM STDIN WITH (FORMAT csv, HEADER true);
member_code,from_date,to_date,reason
TH-0001,2024-01-01,2025-01-01,age
\.
SELECT * FROM chibo.import_staged() WHERE accepted + rejected > 0;

-- The tree as it stood on two dates.
CREATE FUNCTION regress.tree_on(d date) RETURNS TABLE (unit text, parent text)
LANGUAGE sql AS $$
    SELECT u.code, p.code FROM chibo.units u LEFT JOIN chibo.units p ON p.id = u.parent_id
    WHERE u.valid_from <= d AND (u.valid_to IS NULL OR d < u.valid_to) ORDER BY u.code
$$;
SELECT * FROM regress.tree_on('2024-12-31');
SELECT * FROM regress.tree_on('2025-12-31');

-- Who belonged where, and who was exempt, on each date: one cell per
-- member per date, the old periods kept.
SELECT d, m.code AS member, u.code AS cell,
       EXISTS (SELECT FROM chibo.exemptions e WHERE e.member_id = m.id AND e.period @> d) AS exempt
FROM (VALUES (DATE '2024-06-30'), (DATE '2025-06-30'), (DATE '2025-07-01')) AS dates(d)
JOIN chibo.memberships ms ON ms.period @> d
JOIN chibo.members m ON m.id = ms.member_id
JOIN chibo.units u ON u.id = ms.unit_id
ORDER BY d, m.code;
SELECT m.code, u.code AS cell, ms.from_date, ms.to_date
FROM chibo.memberships ms JOIN chibo.members m ON m.id = ms.member_id JOIN chibo.units u ON u.id = ms.unit_id
ORDER BY m.code, ms.from_date;

-- A membership may not outlive its cell, nor the new cell begin before the
-- committee above it; the unit ends are kept exactly.
SELECT try($$UPDATE chibo.memberships SET to_date = NULL
             WHERE unit_id = (SELECT id FROM chibo.units WHERE code = 'TH.BUOI.01')
               AND member_id = (SELECT id FROM chibo.members WHERE code = 'TH-0002')$$) AS membership_outliving_cell;
SELECT try($$UPDATE chibo.units SET valid_from = '2025-06-01' WHERE code = 'P.TAYHO.01'$$) AS cell_before_committee;
