\copy chibo_import.units           FROM 'units.csv'           CSV HEADER
\copy chibo_import.members         FROM 'members.csv'         CSV HEADER
\copy chibo_import.memberships     FROM 'memberships.csv'     CSV HEADER
\copy chibo_import.exemptions      FROM 'exemptions.csv'      CSV HEADER
\copy chibo_import.meetings        FROM 'meetings.csv'        CSV HEADER
\copy chibo_import.attendance      FROM 'attendance.csv'      CSV HEADER
\copy chibo_import.task_registrations FROM 'task_registrations.csv' CSV HEADER
\copy chibo_import.assessments     FROM 'assessments.csv'     CSV HEADER
\copy chibo_import.classifications FROM 'classifications.csv' CSV HEADER
SELECT * FROM chibo.import_staged();
