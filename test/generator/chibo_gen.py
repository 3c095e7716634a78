#!/usr/bin/env python3
"""chibo_gen.py: deterministic, seeded generator of realistic party-cell data.

Writes the nine CSV files of the chibo import contract
(shared/spec/data-contract.md): units, members, memberships, exemptions,
meetings, attendance, task_registrations, assessments, classifications.

Three scales:

  district  the Tây Hồ district (root unit TH), 2021-01-01 .. 2024-06-30.
            Over the reporting window 2021-12 .. 2024-05 it reproduces the
            published report exactly, for every seed: 7560 active members,
            7126/7560 registered a task, 6804/7560 "four good" members,
            230/269 cells at >= 85% attendance every month, and pooled
            attendance above 90% in administrative, armed-forces and school
            cells.
  city      Hanoi (root HN, 30 district committees), one year (--year,
            default 2024): ~475,000 members, ~16,000 cells, ~5.7 million
            attendance rows.
  country   a slice of several provinces (roots), one year: ~1.75 million
            members, > 20 million attendance rows.

Same arguments and seed give byte-identical files (Python 3.11, standard
library only; only seeded random.Random instances are used).

Besides generating, the script has two independent readers of the CSV files:

  --report DIR   computes the headline indicators of shared/spec/indicators.md
                 for one unit and window, straight from the files.
  --self-test    checks every rule of the import contract (and the
                 generator's own invariants) from the files alone; exits 1
                 on any violation.

Examples:
  chibo_gen.py --scale district --out /tmp/th
  chibo_gen.py --report /tmp/th --unit TH --first-month 2021-12 --last-month 2024-05
  chibo_gen.py --self-test /tmp/th
  chibo_gen.py --scale city --members 20000 --out /tmp/hn --self-test

See docs/generator.md for every option and the measured timings.
"""

import argparse
import csv
import datetime
import os
import random
import re
import sys
import time
import unicodedata
from fractions import Fraction

# ---------------------------------------------------------------------------
# The contract
# ---------------------------------------------------------------------------

COLUMNS = {
    'units': ['code', 'parent_code', 'name', 'kind', 'grassroots', 'cell_type',
              'valid_from', 'valid_to'],
    'members': ['code', 'full_name', 'gender', 'birth_date', 'admitted_on',
                'full_member_on', 'left_on', 'left_reason'],
    'memberships': ['member_code', 'unit_code', 'from_date', 'to_date'],
    'exemptions': ['member_code', 'from_date', 'to_date', 'reason'],
    'meetings': ['unit_code', 'held_on', 'kind', 'topic', 'minutes'],
    'attendance': ['unit_code', 'held_on', 'meeting_kind', 'member_code', 'status'],
    'task_registrations': ['member_code', 'year', 'kind', 'title', 'outcome'],
    'assessments': ['subject_kind', 'subject_code', 'scheme', 'period_start',
                    'period_end', 'criteria'],
    'classifications': ['subject_kind', 'subject_code', 'year', 'grade', 'score'],
}
FILES = list(COLUMNS)

CELL_TYPES = ['party_agency', 'administrative', 'public_service', 'armed_forces',
              'school', 'enterprise', 'residential', 'other']
LEFT_REASONS = ['died', 'expelled', 'struck_off', 'resigned', 'other']
EXEMPT_REASONS = ['age', 'health', 'away', 'other']
MEETING_KINDS = ['regular', 'thematic', 'combined', 'extraordinary']
RC = ('regular', 'combined')           # kinds that count toward monthly attendance
STATUSES = ['present', 'excused', 'absent']
SCHEMES = {'DV4T': ('member', 4), 'CB4T': ('cell', 4), 'DV5T': ('member', 5)}
GRADES = ['excellent', 'good', 'completed', 'not_completed']

LATEST = datetime.date(2026, 6, 30)    # no generated date after this
RULE42 = datetime.date(2025, 10, 28)   # Hướng dẫn 42-HD/BTCTW: >= 90 / 120 minutes

# The published Tây Hồ report (domain.md) and its window.
PUBLISHED = {'members': 7560, 'cells': 269, 'cells_ok': 230,
             'tasks': 7126, 'four_good': 6804}
DISTRICT_PERIOD = ('2021-01', '2024-06')
DISTRICT_WINDOW = ('2021-12', '2024-05')
THRESHOLD = Fraction(17, 20)            # 0.85

# ---------------------------------------------------------------------------
# Dates: ordinals internally, ISO strings in the files
# ---------------------------------------------------------------------------

_date = datetime.date
_fromord = _date.fromordinal
INF = _date(9999, 12, 31).toordinal()
_iso_cache = {}


def od(y, m, d):
    return _date(y, m, d).toordinal()


def iso(n):
    s = _iso_cache.get(n)
    if s is None:
        s = _fromord(n).isoformat()
        _iso_cache[n] = s
    return s


def plus_years(n, k):
    d = _fromord(n)
    try:
        return d.replace(year=d.year + k).toordinal()
    except ValueError:                      # 29 February
        return d.replace(year=d.year + k, day=28).toordinal()


def month_first(mi):
    y, m = divmod(mi, 12)
    return od(y, m + 1, 1)


def month_last(mi):
    return month_first(mi + 1) - 1


def mi_of(n):
    d = _fromord(n)
    return d.year * 12 + d.month - 1


def parse_month(s):
    m = re.fullmatch(r'(\d{4})-(\d{2})', s or '')
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise ValueError('month must be YYYY-MM, got %r' % s)
    return int(m.group(1)) * 12 + int(m.group(2)) - 1


def month_str(mi):
    return '%04d-%02d' % (mi // 12, mi % 12 + 1)


# ---------------------------------------------------------------------------
# Vocabulary
# ---------------------------------------------------------------------------

SURNAMES = [('Nguyễn', 38), ('Trần', 11), ('Lê', 9.5), ('Phạm', 7), ('Hoàng', 5),
            ('Phan', 4.5), ('Vũ', 4), ('Đặng', 2.1), ('Bùi', 2), ('Đỗ', 1.8),
            ('Hồ', 1.3), ('Ngô', 1.3), ('Dương', 1), ('Lý', 0.5), ('Đinh', 0.8),
            ('Đào', 0.7), ('Trịnh', 0.6), ('Mai', 0.5), ('Lương', 0.4), ('Tạ', 0.3),
            ('Cao', 0.4), ('Chu', 0.3), ('Kiều', 0.2), ('Hà', 0.6), ('Lâm', 0.3),
            ('Tô', 0.3), ('Vương', 0.2), ('Nghiêm', 0.2), ('Khuất', 0.1),
            ('Quách', 0.1), ('Lưu', 0.3), ('Doãn', 0.1), ('Triệu', 0.2), ('Phùng', 0.3)]
MIDDLE_M = ['Văn', 'Văn', 'Văn', 'Đức', 'Minh', 'Quang', 'Hữu', 'Công', 'Xuân',
            'Thanh', 'Mạnh', 'Ngọc', 'Tiến', 'Anh', 'Việt', 'Duy', 'Trọng', 'Quốc',
            'Hoàng', 'Đình', 'Kim', 'Bá', 'Thế', 'Trung', 'Hải']
MIDDLE_F = ['Thị', 'Thị', 'Thị', 'Thị', 'Thu', 'Thanh', 'Ngọc', 'Minh', 'Phương',
            'Hồng', 'Thúy', 'Kim', 'Mai', 'Thùy', 'Bích', 'Diệu', 'Hải', 'Khánh',
            'Lan', 'Quỳnh', 'Như', 'Tuyết']
GIVEN_M = ['An', 'Bình', 'Cường', 'Dũng', 'Hùng', 'Hải', 'Hiếu', 'Hoàng', 'Huy',
           'Khánh', 'Long', 'Minh', 'Nam', 'Phong', 'Quân', 'Sơn', 'Thắng', 'Thành',
           'Trung', 'Tuấn', 'Tùng', 'Việt', 'Vinh', 'Đạt', 'Đức', 'Hưng', 'Kiên',
           'Lâm', 'Lộc', 'Phúc', 'Quang', 'Tài', 'Thịnh', 'Toàn', 'Trí', 'Tú',
           'Dương', 'Hòa', 'Khôi', 'Nghĩa', 'Tâm', 'Thái', 'Thuận', 'Chiến', 'Hậu',
           'Kiệt', 'Lực', 'Mạnh', 'Ninh', 'Quý', 'Tân', 'Thanh', 'Tiến', 'Trọng',
           'Vũ', 'Bảo', 'Duy', 'Giang', 'Hiệp', 'Khoa']
GIVEN_F = ['Anh', 'Bình', 'Chi', 'Dung', 'Hà', 'Hạnh', 'Hằng', 'Hoa', 'Hồng',
           'Hương', 'Huyền', 'Lan', 'Liên', 'Linh', 'Loan', 'Mai', 'Nga', 'Ngọc',
           'Nhung', 'Oanh', 'Phương', 'Quỳnh', 'Thảo', 'Thủy', 'Trang', 'Tuyết',
           'Vân', 'Yến', 'Hiền', 'Giang', 'Thu', 'Thư', 'Hòa', 'Hậu', 'Huệ', 'Lý',
           'My', 'Nhàn', 'Quyên', 'Tâm', 'Thanh', 'Thoa', 'Trâm', 'Uyên', 'Xuân',
           'Diệp', 'Đào', 'Gấm', 'Khánh', 'Ly', 'Minh', 'Nhi', 'Phượng', 'Thùy', 'Vy']

# Place-name syllables for wards, communes and districts of other regions.
PLACE_SYLL = ['An', 'Bình', 'Đông', 'Tây', 'Nam', 'Bắc', 'Phú', 'Thịnh', 'Hòa',
              'Xuân', 'Yên', 'Thanh', 'Tân', 'Vĩnh', 'Phúc', 'Long', 'Hưng', 'Quang',
              'Minh', 'Đại', 'Kim', 'Ngọc', 'Hồng', 'Thượng', 'Hạ', 'Trung', 'Văn',
              'Hợp', 'Liên', 'Lạc', 'Đồng', 'Cát', 'Tiên', 'Mỹ', 'Vạn', 'Thái', 'Đức',
              'Lộc', 'Khê', 'Sơn', 'Hà', 'Châu', 'Phương', 'Định', 'Thọ', 'Quế', 'Lĩnh']
TH_WARDS = ['Bưởi', 'Thụy Khuê', 'Yên Phụ', 'Tứ Liên', 'Nhật Tân', 'Quảng An',
            'Xuân La', 'Phú Thượng']
PEOPLE = ['Chu Văn An', 'Nguyễn Trãi', 'Lê Quý Đôn', 'Trần Phú', 'Lê Lợi',
          'Quang Trung', 'Nguyễn Du', 'Ngô Quyền', 'Lý Thường Kiệt', 'Trưng Vương',
          'Đoàn Thị Điểm', 'Phan Chu Trinh', 'Nguyễn Huệ', 'Hai Bà Trưng',
          'Lê Hồng Phong', 'Kim Đồng', 'Võ Thị Sáu', 'Nguyễn Văn Trỗi', 'Lý Tự Trọng',
          'Hoàng Hoa Thám', 'Phan Đình Phùng', 'Nguyễn Bỉnh Khiêm', 'Tô Hiến Thành',
          'Trần Quốc Toản', 'Đinh Tiên Hoàng', 'Lê Văn Tám', 'Nguyễn Đình Chiểu',
          'Mạc Đĩnh Chi', 'Chu Văn An B', 'Tây Sơn']
FLOWERS = ['Hoa Sen', 'Hoa Hồng', 'Sao Mai', 'Họa Mi', 'Tuổi Thơ', 'Ánh Dương',
           'Hoa Mai', 'Bình Minh', 'Hoa Ban', 'Sơn Ca', 'Hoa Phượng', 'Thỏ Ngọc',
           'Hoa Lan', 'Hướng Dương', 'Chim Non']

PARTY_AGENCY = ['Chi bộ Văn phòng {U} ủy', 'Chi bộ Ban Tổ chức {U} ủy',
                'Chi bộ Ban Tuyên giáo {U} ủy', 'Chi bộ Ủy ban Kiểm tra {U} ủy',
                'Chi bộ Ban Dân vận {U} ủy', 'Chi bộ Trung tâm Chính trị {l}',
                'Chi bộ Ủy ban Mặt trận Tổ quốc {l}', 'Chi bộ Hội Liên hiệp Phụ nữ {l}',
                'Chi bộ {U} đoàn', 'Chi bộ Hội Cựu chiến binh {l}',
                'Chi bộ Liên đoàn Lao động {l}', 'Chi bộ Hội Nông dân {l}',
                'Chi bộ Ban Bảo vệ sức khỏe cán bộ {l}', 'Chi bộ Báo {l}']
ADMINISTRATIVE = ['Chi bộ Văn phòng HĐND và UBND {l}', 'Chi bộ Phòng Tài chính - Kế hoạch',
                  'Chi bộ Phòng Nội vụ', 'Chi bộ Phòng Tư pháp',
                  'Chi bộ Phòng Tài nguyên và Môi trường', 'Chi bộ Phòng Quản lý đô thị',
                  'Chi bộ Phòng Kinh tế', 'Chi bộ Phòng Lao động - Thương binh và Xã hội',
                  'Chi bộ Phòng Giáo dục và Đào tạo', 'Chi bộ Phòng Văn hóa và Thông tin',
                  'Chi bộ Phòng Y tế', 'Chi bộ Thanh tra {l}',
                  'Chi bộ Đội Quản lý trật tự xây dựng đô thị', 'Chi bộ Phòng Quản lý đất đai',
                  'Chi bộ Đội Kiểm tra quy tắc đô thị', 'Chi bộ Phòng Dân tộc - Tôn giáo',
                  'Chi bộ Ban Bồi thường giải phóng mặt bằng', 'Chi bộ Phòng Kinh tế - Hạ tầng']
ADMIN_DIRECT = ['Chi bộ Chi cục Thuế {l}', 'Chi bộ Kho bạc Nhà nước {l}',
                'Chi bộ Chi cục Thống kê {l}', 'Chi bộ Bảo hiểm xã hội {l}',
                'Chi bộ Chi cục Thi hành án dân sự {l}', 'Chi bộ Chi cục Quản lý thị trường {l}',
                'Chi bộ Văn phòng Đăng ký đất đai chi nhánh {n}']
OTHER_DIRECT = ['Chi bộ Viện Kiểm sát nhân dân {l}', 'Chi bộ Tòa án nhân dân {l}',
                'Chi bộ Hội Chữ thập đỏ {l}', 'Chi bộ Ban Quản lý di tích và danh thắng',
                'Chi bộ Hội Người mù {l}', 'Chi bộ Câu lạc bộ Hưu trí {l}',
                'Chi bộ Hội Khuyến học {l}', 'Chi bộ Ban Đại diện Hội Người cao tuổi {l}']
PUBLIC_SERVICE = ['Chi bộ Trung tâm Y tế {l}', 'Chi bộ Bệnh viện đa khoa {n}',
                  'Chi bộ Ban Quản lý dự án đầu tư xây dựng {l}',
                  'Chi bộ Trung tâm Văn hóa - Thông tin và Thể thao {l}',
                  'Chi bộ Ban Quản lý chợ {n}', 'Chi bộ Trung tâm Phát triển quỹ đất {l}',
                  'Chi bộ Trung tâm Giáo dục nghề nghiệp - Giáo dục thường xuyên {l}',
                  'Chi bộ Ban Quản lý dịch vụ công ích {l}', 'Chi bộ Nhà Văn hóa {n}',
                  'Chi bộ Trung tâm Dịch vụ nông nghiệp {l}', 'Chi bộ Thư viện {l}',
                  'Chi bộ Trung tâm Bảo trợ xã hội {n}']
ENTERPRISE = ['Chi bộ Công ty Cổ phần Môi trường đô thị {n}',
              'Chi bộ Công ty TNHH MTV Thoát nước số {k}', 'Chi bộ Công ty Cổ phần Du lịch {n}',
              'Chi bộ Công ty Cổ phần Xây dựng số {k}', 'Chi bộ Công ty Cổ phần Thương mại {n}',
              'Chi bộ Hợp tác xã Nông nghiệp {n}', 'Chi bộ Công ty Cổ phần May {n}',
              'Chi bộ Ngân hàng Nông nghiệp chi nhánh {n}', 'Chi bộ Điện lực {n}',
              'Chi bộ Công ty Cổ phần Nước sạch {n}',
              'Chi bộ Công ty Cổ phần Đầu tư và Phát triển nhà {n}',
              'Chi bộ Công ty Cổ phần Vận tải {n}', 'Chi bộ Quỹ Tín dụng nhân dân {n}',
              'Chi bộ Công ty TNHH Cây xanh {n}', 'Chi bộ Bưu điện {n}']
POLICE = ['Chi bộ Đội Cảnh sát hình sự', 'Chi bộ Đội Cảnh sát giao thông - trật tự',
          'Chi bộ Đội An ninh', 'Chi bộ Đội Tham mưu - Tổng hợp', 'Chi bộ Đội Cảnh sát kinh tế',
          'Chi bộ Đội Cảnh sát quản lý hành chính về trật tự xã hội',
          'Chi bộ Đội Cảnh sát phòng cháy chữa cháy', 'Chi bộ Đội Cảnh sát điều tra tội phạm về ma túy',
          'Chi bộ Đội Cảnh sát thi hành án hình sự và hỗ trợ tư pháp', 'Chi bộ Đội Xây dựng phong trào']
MILITARY = ['Chi bộ Ban Chỉ huy Quân sự {l}', 'Chi bộ Cơ quan Quân sự {l}',
            'Chi bộ Hậu cần - Kỹ thuật', 'Chi bộ Đại đội Dân quân tự vệ cơ động',
            'Chi bộ Trung đội Dân quân thường trực', 'Chi bộ Ban Chính trị']

THEMES = ['Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh',
          'Nâng cao chất lượng sinh hoạt chi bộ', 'Chuyển đổi số trong công tác đảng',
          'Bảo vệ nền tảng tư tưởng của Đảng, đấu tranh phản bác các quan điểm sai trái',
          'Phòng, chống tham nhũng, tiêu cực', 'Xây dựng văn minh đô thị',
          'Phân loại rác thải tại nguồn', 'Phát huy vai trò nêu gương của đảng viên',
          'Thực hiện Quy định 144-QĐ/TW về chuẩn mực đạo đức cách mạng',
          'Công tác dân vận ở khu dân cư', 'Phòng cháy chữa cháy nhà ở kết hợp kinh doanh',
          'Đảm bảo an ninh trật tự trên địa bàn', 'Xây dựng chi bộ trong sạch, vững mạnh',
          'Giữ gìn cảnh quan hồ Tây', 'Cải cách hành chính và dịch vụ công trực tuyến',
          'Chăm lo gia đình chính sách, người có công']
EXTRA_TOPICS = ['Xét đề nghị kết nạp đảng viên', 'Xét công nhận đảng viên chính thức',
                'Kiểm điểm, đánh giá, xếp loại chất lượng', 'Giới thiệu nhân sự',
                'Triển khai nhiệm vụ đột xuất', 'Bầu bổ sung cấp ủy chi bộ',
                'Lấy ý kiến góp ý dự thảo văn kiện', 'Xem xét kỷ luật đảng viên']
TASKS_NEW = ['Vận động nhân dân phân loại rác tại nguồn',
             'Hướng dẫn người cao tuổi sử dụng dịch vụ công trực tuyến',
             'Tham gia tổ an ninh trật tự cơ sở', 'Vận động hiến đất mở rộng ngõ',
             'Phụ trách câu lạc bộ thể dục dưỡng sinh', 'Xây dựng tủ sách pháp luật khu dân cư',
             'Kèm cặp một quần chúng ưu tú', 'Tuyên truyền phòng chống ma túy cho thanh niên',
             'Cài đặt ứng dụng định danh điện tử VNeID cho hộ dân',
             'Vận động xây dựng quỹ khuyến học', 'Chỉnh lý hồ sơ đảng viên số hóa',
             'Tổ chức lớp kỹ năng số cho hội viên', 'Theo dõi tiến độ công trình ven hồ',
             'Biên tập bản tin chi bộ hằng tháng', 'Vận động đóng góp quỹ vì người nghèo',
             'Hỗ trợ học sinh có hoàn cảnh khó khăn', 'Cập nhật sổ theo dõi hộ kinh doanh',
             'Xây dựng mô hình tuyến phố văn minh', 'Phụ trách nhóm Zalo tổ dân phố',
             'Hướng dẫn thủ tục cấp căn cước công dân', 'Vận động trồng cây xanh đường phố',
             'Tổng hợp ý kiến cử tri khu dân cư', 'Rà soát hộ cận nghèo',
             'Giới thiệu việc làm cho thanh niên', 'Kiểm tra an toàn thực phẩm khu chợ']
TASKS_DIFFICULT = ['Giải quyết tranh chấp đất đai tồn đọng', 'Vận động giải phóng mặt bằng dự án',
                   'Xử lý vi phạm trật tự xây dựng', 'Hòa giải mâu thuẫn kéo dài trong khu dân cư',
                   'Thu hồi nợ đọng thuế', 'Giải quyết đơn thư khiếu nại phức tạp',
                   'Di dời hộ dân khỏi nhà nguy hiểm', 'Cải tạo điểm nóng ô nhiễm môi trường',
                   'Xóa điểm tập kết rác tự phát', 'Vận động hộ kinh doanh trả lại vỉa hè',
                   'Giúp đỡ người nghiện tái hòa nhập cộng đồng', 'Hoàn thiện hồ sơ tái định cư',
                   'Triển khai chuyển đổi số thủ tục hành chính', 'Thu gom nước thải ra hồ Tây',
                   'Giảm tai nạn giao thông tại nút giao']

HANOI_DISTRICTS = [
    ('BD', 'Ba Đình', 'quận'), ('HK', 'Hoàn Kiếm', 'quận'), ('TH', 'Tây Hồ', 'quận'),
    ('LB', 'Long Biên', 'quận'), ('CG', 'Cầu Giấy', 'quận'), ('DD', 'Đống Đa', 'quận'),
    ('HBT', 'Hai Bà Trưng', 'quận'), ('HM', 'Hoàng Mai', 'quận'),
    ('TX', 'Thanh Xuân', 'quận'), ('NTL', 'Nam Từ Liêm', 'quận'),
    ('BTL', 'Bắc Từ Liêm', 'quận'), ('HD', 'Hà Đông', 'quận'), ('ST', 'Sơn Tây', 'thị xã'),
    ('BV', 'Ba Vì', 'huyện'), ('CM', 'Chương Mỹ', 'huyện'), ('DP', 'Đan Phượng', 'huyện'),
    ('DA', 'Đông Anh', 'huyện'), ('GL', 'Gia Lâm', 'huyện'), ('HDU', 'Hoài Đức', 'huyện'),
    ('ML', 'Mê Linh', 'huyện'), ('MD', 'Mỹ Đức', 'huyện'), ('PX', 'Phú Xuyên', 'huyện'),
    ('PT', 'Phúc Thọ', 'huyện'), ('QO', 'Quốc Oai', 'huyện'), ('SS', 'Sóc Sơn', 'huyện'),
    ('TT', 'Thạch Thất', 'huyện'), ('TO', 'Thanh Oai', 'huyện'), ('TTR', 'Thanh Trì', 'huyện'),
    ('THT', 'Thường Tín', 'huyện'), ('UH', 'Ứng Hòa', 'huyện')]
# Country slice: (code, name, kind, share of members, share of rural districts)
PROVINCES = [('HN', 'Hà Nội', 'thành phố', 475, None),
             ('HCM', 'Hồ Chí Minh', 'thành phố', 260, 0.25),
             ('THH', 'Thanh Hóa', 'tỉnh', 210, 0.85), ('NA', 'Nghệ An', 'tỉnh', 190, 0.85),
             ('HP', 'Hải Phòng', 'thành phố', 140, 0.5), ('TB', 'Thái Bình', 'tỉnh', 120, 0.85),
             ('ND', 'Nam Định', 'tỉnh', 110, 0.8), ('HDG', 'Hải Dương', 'tỉnh', 100, 0.8),
             ('QN', 'Quảng Ninh', 'tỉnh', 95, 0.6)]

# Cell sizes on the report date: median by cell type (spread lognormal 0.45).
SIZE_MEDIAN = {'residential': 36, 'party_agency': 11, 'administrative': 13,
               'public_service': 17, 'armed_forces': 19, 'school': 21,
               'enterprise': 15, 'other': 9}
# Probability of attending a regular meeting, by cell type (member jitter added).
PRESENCE = {'administrative': 0.965, 'armed_forces': 0.975, 'school': 0.965,
            'party_agency': 0.955, 'public_service': 0.945, 'enterprise': 0.93,
            'residential': 0.925, 'other': 0.935}
MALE_SHARE = {'armed_forces': 0.88, 'school': 0.3, 'residential': 0.52}


def ascii_code(s):
    s = s.replace('Đ', 'D').replace('đ', 'd')
    s = unicodedata.normalize('NFD', s)
    s = ''.join(ch for ch in s if unicodedata.category(ch) != 'Mn')
    return ''.join(ch for ch in s.upper() if ch.isalnum())


def initials(s):
    return ''.join(ascii_code(w)[:1] for w in s.split())


def split_counts(total, weights):
    """Largest-remainder split of total by weights (deterministic)."""
    wsum = float(sum(weights))
    raw = [total * w / wsum for w in weights]
    out = [int(x) for x in raw]
    rest = total - sum(out)
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - out[i]), i))
    for i in order[:rest]:
        out[i] += 1
    return out


def cumulative(ws):
    acc, out = 0, []
    for w in ws:
        acc += w
        out.append(acc)
    return out


def pct(part, whole):
    """Whole-number percentage, rounded half away from zero."""
    if whole == 0:
        return '-'
    return '%d%%' % ((200 * part + whole) // (2 * whole))


# ---------------------------------------------------------------------------
# Model objects
# ---------------------------------------------------------------------------

class Unit:
    __slots__ = ('code', 'parent', 'name', 'kind', 'grassroots', 'ctype', 'vf', 'vt',
                 'org', 'size', 'stable', 'edge', 'fail_mode', 'fail_months', 'habit',
                 'habit_q', 'quarterly', 'pilot5', 'rec_absent', 'roster', 'ward',
                 'special', 'meetings', 'passing', 'residential_no', 'seats')

    def __init__(self, code, parent, name, kind, grassroots, ctype, vf, vt=None):
        self.code, self.parent, self.name, self.kind = code, parent, name, kind
        self.grassroots, self.ctype, self.vf, self.vt = grassroots, ctype, vf, vt
        self.org = None
        self.size = 0
        self.stable = False
        self.edge = None
        self.fail_mode = None
        self.fail_months = ()
        self.habit = 5
        self.habit_q = 0
        self.quarterly = False
        self.pilot5 = False
        self.rec_absent = True
        self.roster = None
        self.ward = None
        self.special = {}
        self.meetings = None
        self.passing = True
        self.residential_no = None
        self.seats = None

    def exists(self, n):
        return self.vf <= n and (self.vt is None or n < self.vt)

    def end(self):
        return INF if self.vt is None else self.vt


class Member:
    __slots__ = ('seq', 'code', 'name', 'gender', 'birth', 'adm', 'full', 'left', 'reason',
                 'segs', 'exem', 'p', 'pe', 'core', 'forced', 'clean_year', 'in_a',
                 'task', 'fg', 'ex_rows', 'ctype', 'no_post')

    def __init__(self, seq):
        self.seq = seq
        self.code = None
        self.left = None
        self.reason = ''
        self.full = None
        self.segs = []
        self.exem = None
        self.core = False
        self.forced = None
        self.clean_year = None
        self.in_a = False
        self.task = None
        self.fg = None
        self.ex_rows = False
        self.no_post = False

    def first_from(self):
        return self.segs[0][1]

    def last_to(self):
        return self.segs[-1][2]

    def cell_on(self, n):
        if self.left is not None and n >= self.left:
            return None
        for c, a, b in self.segs:
            if a <= n < b:
                return c
        return None

    def exempt_on(self, n):
        if self.exem:
            for a, b, _ in self.exem:
                if a <= n < b:
                    return True
        return False


# ---------------------------------------------------------------------------
# Generation context
# ---------------------------------------------------------------------------

class Ctx:
    """Period, window and rates of one run."""

    def __init__(self, args):
        self.scale = args.scale
        self.seed = args.seed
        self.quiet = args.quiet
        if args.year is not None and (args.first_month or args.last_month):
            raise SystemExit('chibo_gen: give --year or --first-month/--last-month, not both')
        if args.year is not None:
            pm0, pm1 = parse_month('%04d-01' % args.year), parse_month('%04d-12' % args.year)
            custom = True
        elif args.first_month or args.last_month:
            if not (args.first_month and args.last_month):
                raise SystemExit('chibo_gen: give both --first-month and --last-month')
            pm0, pm1 = parse_month(args.first_month), parse_month(args.last_month)
            custom = True
        elif self.scale == 'district':
            pm0, pm1 = parse_month(DISTRICT_PERIOD[0]), parse_month(DISTRICT_PERIOD[1])
            custom = False
        else:
            custom = False
            pm0, pm1 = parse_month('2024-01'), parse_month('2024-12')
        latest_mi = LATEST.year * 12 + LATEST.month - 1
        if pm1 > latest_mi:
            raise SystemExit('chibo_gen: the period may not end after %s' % LATEST.isoformat())
        if pm1 < pm0:
            raise SystemExit('chibo_gen: last month before first month')
        if month_last(pm1) > _date.today().toordinal():
            raise SystemExit('chibo_gen: the period may not end in the future')
        if pm0 < parse_month('2010-01'):
            raise SystemExit('chibo_gen: the period may not start before 2010-01')
        self.pm0, self.pm1 = pm0, pm1
        if self.scale == 'district' and not custom:
            self.wm0, self.wm1 = parse_month(DISTRICT_WINDOW[0]), parse_month(DISTRICT_WINDOW[1])
        else:
            self.wm0, self.wm1 = pm0, pm1
        self.P0, self.P1 = month_first(pm0), month_last(pm1)
        self.W0, self.D = month_first(self.wm0), month_last(self.wm1)
        self.months = list(range(pm0, pm1 + 1))
        self.wmonths = list(range(self.wm0, self.wm1 + 1))
        self.mfirst = {mi: month_first(mi) for mi in range(pm0 - 1, pm1 + 2)}
        self.mlast = {mi: month_last(mi) for mi in range(pm0 - 1, pm1 + 2)}
        self.yrs_pre = (self.D - self.P0 + 1) / 365.25
        self.yrs_post = (self.P1 - self.D) / 365.25
        big = self.scale != 'district'
        # meeting habits
        self.p_combined = 0.9 if big else 0.5
        self.p_double = 0.004 if big else 0.015
        self.p_extra = 0.008 if big else 0.02
        self.p_missing_out = 0.012
        self.p_skip_thematic = 0.03
        # yearly rates of member events
        self.r_adm, self.r_ext_in, self.r_int = 0.026, 0.013, 0.02
        self.r_dep, self.r_ext_out = 0.013, 0.012
        self.rule42 = RULE42.toordinal()
        # years
        y0, y1 = pm0 // 12, pm1 // 12
        self.years = list(range(y0, y1 + 1))
        self.full_years = [y for y in self.years if od(y, 12, 31) <= self.P1 and od(y, 1, 1) >= self.P0]
        wy0, wy1 = self.wm0 // 12, self.wm1 // 12
        self.touched_years = list(range(wy0, wy1 + 1))
        self.robust_years = [y for y in self.touched_years
                             if od(y, 1, 1) >= self.W0 and od(y, 12, 31) <= self.D] \
            or list(self.touched_years)
        # assessment periods: (scheme, start, end, tag)
        per = []
        for y in range(y0 - 1, y1 + 1):
            if od(y, 12, 31) <= self.P1:
                per.append(('DV4T', od(y, 1, 1), od(y, 12, 31), 'year'))
        for y in self.years:
            for q in range(4):
                s, e = od(y, 3 * q + 1, 1), month_last(y * 12 + 3 * q + 2)
                if s >= self.P0 and e <= self.P1:
                    per.append(('DV4T', s, e, 'quarter'))
        halves = []
        for y in range(y0 - 1, y1 + 1):
            for h in range(2):
                s, e = od(y, 6 * h + 1, 1), month_last(y * 12 + 6 * h + 5)
                if e <= self.P1 and e >= self.P0 - 400 and not (s >= self.W0 and e <= self.D):
                    halves.append((s, e))
        if halves:
            s, e = halves[-1]
            per.append(('DV5T', s, e, 'pilot'))
        self.assess_periods = per
        self.class_years = [y for y in self.years if od(y, 12, 31) <= self.P1]
        self.stats = {f: 0 for f in FILES}
        self.extra = {}
        self.t0 = time.time()

    def inside_w(self, s, e):
        return s >= self.W0 and e <= self.D

    def log(self, msg):
        if not self.quiet:
            sys.stderr.write('[chibo_gen %6.1fs] %s\n' % (time.time() - self.t0, msg))
            sys.stderr.flush()

    def bump(self, key, n=1):
        self.extra[key] = self.extra.get(key, 0) + n


class Writers:
    def __init__(self, out):
        os.makedirs(out, exist_ok=True)
        self.files, self.w = {}, {}
        for f in FILES:
            fh = open(os.path.join(out, f + '.csv'), 'w', newline='', encoding='utf-8',
                      buffering=1 << 20)
            wr = csv.writer(fh, lineterminator='\n')
            wr.writerow(COLUMNS[f])
            self.files[f], self.w[f] = fh, wr

    def close(self):
        for fh in self.files.values():
            fh.close()


# ---------------------------------------------------------------------------
# Region: a district-level committee with its grassroots organisations
# ---------------------------------------------------------------------------

class RegionSpec:
    def __init__(self, code, name, level, parent, vf, members, cells, fixed_wards=None):
        self.code, self.name, self.level, self.parent = code, name, level, parent
        self.vf, self.members, self.cells = vf, members, cells
        self.fixed_wards = fixed_wards


def region_targets(n, cells):
    """Targets of one region, scaled from the published Tây Hồ report."""
    fail = round(cells * (PUBLISHED['cells'] - PUBLISHED['cells_ok']) / PUBLISHED['cells'])
    tasks = round(n * PUBLISHED['tasks'] / PUBLISHED['members'])
    fg = round(n * PUBLISHED['four_good'] / PUBLISHED['members'])
    return fail, tasks, fg


def place_names(rng, n, taken):
    out = []
    tries = 0
    while len(out) < n:
        tries += 1
        a, b = rng.sample(PLACE_SYLL, 2)
        nm = a + ' ' + b
        code = ascii_code(nm)
        if code in taken or len(code) > 12:
            if tries > 100000:
                raise RuntimeError('out of place names')
            continue
        taken.add(code)
        out.append(nm)
    return out


def fill_names(pool, n, fmt_fallback, subst):
    out = []
    for i in range(n):
        if i < len(pool):
            out.append(pool[i].format(**subst))
        else:
            out.append(fmt_fallback.format(k=i + 1 - len(pool), **subst))
    return out


def build_tree(ctx, spec, rng):
    """Committees and cells of one region. Returns (region unit, committees, cells)."""
    lvl = spec.level                     # 'quận', 'huyện', 'thị xã', 'thành phố'
    U = {'quận': 'Quận', 'huyện': 'Huyện', 'thị xã': 'Thị', 'thành phố': 'Thành'}[lvl]
    ldist = '%s %s' % (lvl, spec.name)
    rural = lvl == 'huyện'
    subst = {'U': U, 'l': lvl, 'n': spec.name}
    R = Unit(spec.code, spec.parent, 'Đảng bộ %s' % ldist, 'committee', False, '', spec.vf)
    C = spec.cells
    n_direct = max(5, round(0.15 * C))
    n_pa, n_adm = max(2, round(0.045 * C)), max(2, round(0.06 * C))
    n_ca, n_qs = max(2, round(0.06 * C)), max(2, round(0.015 * C))
    rest = C - n_direct - n_pa - n_adm - n_ca - n_qs
    if spec.fixed_wards:
        ward_names = list(spec.fixed_wards)[:max(2, min(len(spec.fixed_wards), round(rest / 22.6)))]
    else:
        nw = max(2, round(rest / 22.6))
        ward_names = place_names(rng, nw, {'CQD', 'CQCQ', 'CA', 'QS'})
    nw = len(ward_names)
    n_res = rest - 4 * nw
    if n_res < 2 * nw + 1:
        raise SystemExit('chibo_gen: region %s too small (%d cells); use more members'
                         % (spec.code, C))
    P0 = ctx.P0
    span = max(0, P0 - 730 - spec.vf)

    def cell_vf(parent):
        lo = parent.vf
        hi = max(lo, P0 - 400)
        if rng.random() < 0.55:
            return lo
        return rng.randint(lo, hi)

    committees, cells = [], []

    def committee(local, name, vf=None):
        u = Unit(spec.code + '.' + local, R.code, name, 'committee', True, '',
                 vf if vf is not None else R.vf)
        committees.append(u)
        return u

    def cell(parent, local, name, ctype, grassroots):
        u = Unit(parent.code + '.' + local, parent.code, name, 'cell', grassroots, ctype,
                 cell_vf(parent))
        u.org = u if grassroots else parent
        cells.append(u)
        return u

    # wards / communes
    ward_word = 'xã' if rural else 'phường'
    res_split = split_counts(n_res, [rng.uniform(0.7, 1.3) for _ in ward_names])
    ward_units = []
    for wi, wn in enumerate(ward_names):
        wvf = R.vf if rng.random() < 0.8 else max(R.vf, min(P0 - 800, R.vf + rng.randint(0, span)))
        w = committee(ascii_code(wn), 'Đảng bộ %s %s' % (ward_word, wn), wvf)
        ward_units.append(w)
        k = 0
        for j in range(res_split[wi]):
            k += 1
            if rural:
                nm = 'Chi bộ thôn %s' % (rng.choice(['Đông', 'Đoài', 'Thượng', 'Hạ', 'Trung', 'Nam', 'Bắc'])
                                         + ' ' + str(j + 1)) if rng.random() < 0.3 else 'Chi bộ thôn %d' % (j + 1)
            else:
                nm = 'Chi bộ tổ dân phố số %d' % (j + 1)
            c = cell(w, '%02d' % k, nm, 'residential', False)
            c.residential_no = j + 1
            c.ward = w
        for nm, ct in (('Chi bộ Cơ quan Đảng - Đoàn thể %s %s' % (ward_word, wn), 'party_agency'),
                       ('Chi bộ Cơ quan UBND %s %s' % (ward_word, wn), 'administrative'),
                       ('Chi bộ Quân sự %s %s' % (ward_word, wn), 'armed_forces'),
                       ('Chi bộ Trường Mầm non %s' % rng.choice(FLOWERS), 'school')):
            k += 1
            c = cell(w, '%02d' % k, nm, ct, False)
            c.ward = w
    # agency committees
    cq = committee('CQD', 'Đảng bộ Cơ quan Đảng %s' % ldist)
    for k, nm in enumerate(fill_names(PARTY_AGENCY, n_pa, 'Chi bộ Cơ quan Đảng số {k}', subst)):
        cell(cq, '%02d' % (k + 1), nm, 'party_agency', False)
    cc = committee('CQCQ', 'Đảng bộ Cơ quan chính quyền %s' % ldist)
    for k, nm in enumerate(fill_names(ADMINISTRATIVE, n_adm, 'Chi bộ Cơ quan chính quyền số {k}', subst)):
        cell(cc, '%02d' % (k + 1), nm, 'administrative', False)
    ca = committee('CA', 'Đảng bộ Công an %s' % ldist)
    police = ['Chi bộ Công an %s %s' % (ward_word, wn) for wn in ward_names] + POLICE
    for k, nm in enumerate(fill_names(police, n_ca, 'Chi bộ Công an số {k}', subst)):
        cell(ca, '%02d' % (k + 1), nm, 'armed_forces', False)
    qs = committee('QS', 'Đảng bộ Quân sự %s' % ldist)
    for k, nm in enumerate(fill_names(MILITARY, n_qs, 'Chi bộ Quân sự số {k}', subst)):
        cell(qs, '%02d' % (k + 1), nm, 'armed_forces', False)
    # grassroots cells directly under the region
    types = ['school', 'public_service', 'enterprise', 'administrative', 'other']
    counts = [1] * 5
    counts = [a + b for a, b in zip(counts, split_counts(n_direct - 5, [35, 20, 25, 10, 10]))]
    people = list(PEOPLE)
    rng.shuffle(people)
    wards_cycle = list(ward_names)
    k = 0
    for t, cnt in zip(types, counts):
        if t == 'school':
            names = []
            for i in range(cnt):
                kind = i % 3
                if kind == 0:
                    names.append('Chi bộ Trường THCS %s' % people[i % len(people)])
                elif kind == 1:
                    names.append('Chi bộ Trường Tiểu học %s' % wards_cycle[i % len(wards_cycle)])
                else:
                    names.append('Chi bộ Trường Tiểu học %s' % people[(i + 7) % len(people)])
            seen = {}
            for i, nm in enumerate(names):
                if nm in seen:
                    seen[nm] += 1
                    names[i] = '%s số %d' % (nm, seen[nm])
                else:
                    seen[nm] = 1
        elif t == 'public_service':
            names = fill_names(PUBLIC_SERVICE, cnt, 'Chi bộ Đơn vị sự nghiệp số {k}', subst)
        elif t == 'enterprise':
            names = []
            for i in range(cnt):
                if i < len(ENTERPRISE):
                    names.append(ENTERPRISE[i].format(n=spec.name, k=i + 2, **{'U': U, 'l': lvl}))
                else:
                    names.append('Chi bộ Doanh nghiệp số %d' % (i + 1 - len(ENTERPRISE)))
        elif t == 'administrative':
            names = fill_names(ADMIN_DIRECT, cnt, 'Chi bộ Cơ quan hành chính số {k}', subst)
        else:
            names = fill_names(OTHER_DIRECT, cnt, 'Chi bộ Đơn vị khác số {k}', subst)
        for nm in names:
            k += 1
            cell(R, 'CB%02d' % k, nm, t, True)
    return R, committees, cells


# ---------------------------------------------------------------------------
# People
# ---------------------------------------------------------------------------

class People:
    def __init__(self, ctx, rng):
        self.ctx, self.rng = ctx, rng
        self.seq = 0
        self.sur = [s for s, _ in SURNAMES]
        acc, cum = 0.0, []
        for _, w in SURNAMES:
            acc += w
            cum.append(acc)
        self.cum = cum
        self.members = []

    def name(self, male):
        rng = self.rng
        s = rng.choices(self.sur, cum_weights=self.cum)[0]
        if male:
            return '%s %s %s' % (s, rng.choice(MIDDLE_M), rng.choice(GIVEN_M))
        return '%s %s %s' % (s, rng.choice(MIDDLE_F), rng.choice(GIVEN_F))

    def _new(self, ctype, adm, age_years):
        rng = self.rng
        m = Member(self.seq)
        self.seq += 1
        male = rng.random() < MALE_SHARE.get(ctype, 0.55)
        m.gender = ('male' if male else 'female') if rng.random() > 0.005 else ''
        m.name = self.name(male)
        m.adm = adm
        m.birth = adm - int(age_years * 365.25) - rng.randint(0, 364)
        m.ctype = ctype
        p = PRESENCE[ctype] + rng.uniform(-0.05, 0.03)
        if self.ctx.P0 - m.birth > 75 * 365:
            p -= 0.05
        p = min(p, 0.995)
        m.p = p
        m.pe = p + (1 - p) * 0.95
        self.members.append(m)
        return m

    def veteran(self, ctype):
        """A member admitted before the period."""
        rng, P0 = self.rng, self.ctx.P0
        y1 = _fromord(P0 - 1).year
        if ctype == 'residential':
            lo, mode = 1962, 1990
        elif ctype == 'armed_forces':
            lo, mode = 1995, 2014
        else:
            lo, mode = 1985, 2008
        lo, mode = min(lo, y1), min(mode, y1)
        y = int(rng.triangular(lo, y1 + 1, mode))
        y = min(max(y, lo), y1)
        adm = min(od(y, 1, 1) + rng.randint(0, 364), P0 - 1)
        if ctype == 'armed_forces':
            age = 19 + rng.triangular(0, 11, 3)
        else:
            age = 18 + rng.triangular(0, 27, 6)
        age = min(age, (adm - (P0 - int(92 * 365.25))) / 365.25)   # nobody older than ~92
        return self._new(ctype, adm, age)

    def recruit(self, ctype, adm):
        """A member admitted inside the period, on adm."""
        return self._new(ctype, adm, 19 + self.rng.triangular(0, 19, 5))


# ---------------------------------------------------------------------------
# One region
# ---------------------------------------------------------------------------

def gen_region(ctx, spec, W, seed_tag):
    rng = random.Random('chibo:%s:%s' % (ctx.seed, seed_tag))
    t_start = time.time()
    R, committees, cells = build_tree(ctx, spec, rng)
    P0, P1, D, W0 = ctx.P0, ctx.P1, ctx.D, ctx.W0
    wm = ctx.wmonths

    residential = [c for c in cells if c.ctype == 'residential']
    rng.shuffle(residential)
    # cells with a structural role
    by_ward = {}
    for c in residential:
        by_ward.setdefault(c.ward.code, []).append(c)
    ward_codes = sorted(by_ward)
    # closed cell and its receivers: a ward with at least 3 residential cells
    closed = created = origin = None
    receivers = []
    if len(wm) >= 6:
        wcands = [w for w in ward_codes if len(by_ward[w]) >= 3]
        wcl = rng.choice(wcands)
        closed = by_ward[wcl][0]
        receivers = by_ward[wcl][1:4]
        cmi = rng.randint(wm[0] + 1, wm[-1] - 4)
        closed.vt = ctx.mfirst[cmi] + rng.randint(9, 19)
        # created cell: a new residential group split from an existing one
        wcr = rng.choice([w for w in ward_codes if w != wcl] or ward_codes)
        origin = by_ward[wcr][0] if by_ward[wcr][0] is not closed else by_ward[wcr][1]
        ward = origin.ward
        nos = [c.residential_no for c in cells if c.ward is ward and c.residential_no]
        no = max(nos) + 1
        last_local = max(int(c.code.rsplit('.', 1)[1]) for c in cells if c.parent == ward.code)
        rural = spec.level == 'huyện'
        nm = ('Chi bộ thôn %d' if rural else 'Chi bộ tổ dân phố số %d') % no
        created = Unit('%s.%02d' % (ward.code, last_local + 1), ward.code, nm, 'cell', False,
                       'residential', 0)
        created.org = ward
        created.ward = ward
        created.residential_no = no
        crmi = rng.randint(wm[0] + 3, wm[-1] - 3) if len(wm) >= 8 else wm[len(wm) // 2]
        created.vf = ctx.mfirst[crmi] + rng.randint(4, 17)
        # insert after the ward's last cell
        idx = max(i for i, c in enumerate(cells) if c.parent == ward.code)
        cells.insert(idx + 1, created)
    special = {id(x) for x in (closed, created, origin) if x is not None}
    special.update(id(x) for x in receivers)
    edges = [c for c in residential if id(c) not in special][:4]
    for tag, c, size in zip(('E1', 'E2', 'E3', 'E4'), edges, (20, 20, 21, 20)):
        c.edge, c.stable, c.size = tag, True, size

    onD = [c for c in cells if c is not closed]
    assert len(onD) == spec.cells, (len(onD), spec.cells)
    n_fail, n_tasks, n_fg = region_targets(spec.members, spec.cells)

    # ---- sizes on the report date
    fixed = 0
    free = []
    for c in onD:
        if c.stable:
            fixed += c.size
        elif c is created:
            c.size = rng.randint(10, 22)
            fixed += c.size
        else:
            free.append(c)
    target = spec.members - fixed
    raw = [SIZE_MEDIAN[c.ctype] * rng.lognormvariate(0, 0.45) for c in free]
    f = target / sum(raw)
    for c, x in zip(free, raw):
        c.size = min(120, max(3, int(round(x * f))))
    diff = target - sum(c.size for c in free)
    guard = 0
    while diff:
        c = free[rng.randrange(len(free))]
        guard += 1
        if guard > 10000000:
            raise SystemExit('chibo_gen: cannot fit %d members into %d cells' % (spec.members, len(onD)))
        if diff > 0 and c.size < 120:
            c.size += 1
            diff -= 1
        elif diff < 0 and c.size > 3:
            c.size -= 1
            diff += 1
    if closed is not None:
        closed.size = rng.randint(12, 24)

    # ---- habits of every cell
    for c in cells:
        c.habit = rng.randint(2, 20)
        c.habit_q = rng.randint(0, 2)
        c.rec_absent = rng.random() < 0.6
        c.quarterly = c.parent.endswith('.CA') or c.parent.endswith('.QS') or rng.random() < 0.08
    pilots = [c for c in cells if c.ctype in ('party_agency', 'administrative') and c is not closed]
    for c in pilots[:2]:
        c.pilot5 = True

    # ---- pass / fail designation (cells existing on D)
    def window_months(c):
        return [mi for mi in wm if c.vf <= ctx.mlast[mi] and c.end() > ctx.mfirst[mi]]

    elig = [c for c in onD if c.edge not in ('E1', 'E2', 'E3', 'E4') and c is not created]
    e4 = [c for c in onD if c.edge == 'E4']
    n_other_fail = n_fail - len(e4)
    failing = rng.sample(elig, max(0, n_other_fail)) if n_other_fail > 0 else []
    for c in failing + e4:
        c.passing = False
    for c in failing:
        mths = window_months(c)
        k = rng.choices([1, 2, 3], [70, 25, 5])[0]
        c.fail_months = sorted(rng.sample(mths, min(k, len(mths))))
        if c.ctype in ('administrative', 'armed_forces', 'school'):
            c.fail_mode = 'missing'
        else:
            c.fail_mode = 'missing' if rng.random() < 0.5 else 'low'
    if closed is not None:
        closed.passing = False
        closed.fail_mode = 'missing'
        mths = [mi for mi in window_months(closed) if ctx.mlast[mi] < closed.vt]
        closed.fail_months = [rng.choice(mths)]
    for c in onD:
        if c.edge:
            c.special = {rng.choice(window_months(c)): c.edge}

    # ---- members
    ppl = People(ctx, rng)
    pre_cells = [c for c in cells if c.vf < P0 and not c.stable]
    pre_cum = cumulative([c.size for c in pre_cells])

    def seg_from(m, c, before):
        lo = max(c.vf, m.adm)
        hi = before - 1
        return rng.randint(lo, hi) if lo < hi else lo

    def other_cell(c, t):
        for _ in range(100):
            a = rng.choices(pre_cells, cum_weights=pre_cum)[0]
            if a is not c and a.exists(t) and a is not closed and a.vf < P0:
                return a
        return None

    p_adm = ctx.r_adm * ctx.yrs_pre
    p_ext = ctx.r_ext_in * ctx.yrs_pre
    p_int = ctx.r_int * ctx.yrs_pre
    tot = p_adm + p_ext + p_int
    if tot > 0.5:                              # long periods: at most half the seats arrive
        p_adm, p_ext, p_int = (x * 0.5 / tot for x in (p_adm, p_ext, p_int))
        tot = 0.5

    def arrival_date(c):
        lo = max(P0, c.vf + 1)
        return rng.randint(lo, D) if lo <= D else D

    # seat labels
    for c in onD:
        labels = []
        for k in range(c.size):
            if c is created:
                n_split = max(2, int(c.size * 0.8))
                labels.append('split' if k < n_split else rng.choice(['adm', 'ext', 'int']))
            elif c.stable or k < 2:
                labels.append('stay')
            else:
                r = rng.random()
                labels.append('adm' if r < p_adm else 'ext' if r < p_adm + p_ext
                              else 'int' if r < tot else 'stay')
        c.seats = labels
    if closed is not None:
        n_trans = closed.size
        slots = [(c, k) for c in receivers for k in range(2, c.size) if c.seats[k] == 'stay']
        rng.shuffle(slots)
        if len(slots) < n_trans:
            n_trans = len(slots)
        for c, k in slots[:n_trans]:
            c.seats[k] = 'closed'
        closed_core = 0

    boundary_in = None
    for c in onD:
        for k, lab in enumerate(c.seats):
            ct = c.ctype
            if lab == 'stay':
                m = ppl.veteran(ct)
                m.segs.append([c, seg_from(m, c, P0), INF])
                if k < 2:
                    m.core = True
            elif lab == 'split':
                m = ppl.veteran(ct)
                m.segs.append([origin, seg_from(m, origin, P0), created.vf])
                m.segs.append([c, created.vf, INF])
                if k < 2:
                    m.core = True
            elif lab == 'closed':
                m = ppl.veteran(ct)
                m.segs.append([closed, seg_from(m, closed, P0), closed.vt])
                m.segs.append([c, closed.vt, INF])
                if closed_core < 2:
                    m.core = True
                    closed_core += 1
            elif lab == 'adm':
                t = arrival_date(c)
                m = ppl.recruit(ct, t)
                m.segs.append([c, t, INF])
            elif lab == 'ext':
                t = arrival_date(c)
                m = ppl.veteran(ct)
                m.segs.append([c, t, INF])
                if boundary_in is None and c is not created and P1 > D:
                    boundary_in = m
                    m.segs[0][1] = D           # arrives on the report date itself
            else:  # internal transfer
                t = arrival_date(c)
                a = other_cell(c, t)
                m = ppl.veteran(ct)
                if a is None:
                    m.segs.append([c, seg_from(m, c, P0), INF])
                else:
                    if rng.random() < 0.1 and t - P0 > 60:
                        b = other_cell(a, t)
                        t1 = rng.randint(P0 + 1, t - 30)
                        if b is not None and b is not c and b.exists(t1):
                            m.segs.append([b, seg_from(m, b, P0), t1])
                            m.segs.append([a, t1, t])
                        else:
                            m.segs.append([a, seg_from(m, a, P0), t])
                    else:
                        m.segs.append([a, seg_from(m, a, P0), t])
                    m.segs.append([c, t, INF])
            m.in_a = True
    members_a = list(ppl.members)
    assert len(members_a) == spec.members

    # members who are not active on D
    n_dep = int(round(ctx.r_dep * spec.members * ctx.yrs_pre))
    n_out = int(round(ctx.r_ext_out * spec.members * ctx.yrs_pre))
    dep_cells = [c for c in cells if c.vf < P0 and not c.stable]
    dep_cum = cumulative([c.size for c in dep_cells])

    def reason_for(m, t):
        if t - m.birth > 70 * 365:
            return rng.choices(LEFT_REASONS, [80, 2, 6, 2, 10])[0]
        return rng.choices(LEFT_REASONS, [25, 10, 25, 15, 25])[0]

    boundary_out_done = False
    for i in range(n_dep + n_out):
        c = rng.choices(dep_cells, cum_weights=dep_cum)[0]
        hi = min(D, c.end() - 1)
        t = rng.randint(P0 + 1, hi)
        if i < n_dep and rng.random() < 0.05 and t - P0 > 120:
            m = ppl.recruit(c.ctype, rng.randint(P0, t - 90))
            m.segs.append([c, m.adm, t])
        else:
            m = ppl.veteran(c.ctype)
            m.segs.append([c, seg_from(m, c, P0), t])
        if i < n_dep:
            m.left = t
            m.reason = reason_for(m, t)
        elif not boundary_out_done and c.end() > D:
            m.segs[-1][2] = D                  # leaves the cell on the report date
            boundary_out_done = True
    # after the report date (district: June 2024)
    if P1 > D:
        for _ in range(int(round((ctx.r_adm + ctx.r_ext_in) * spec.members * ctx.yrs_post))):
            c = rng.choices(dep_cells, cum_weights=dep_cum)[0]
            if not c.exists(P1):
                continue
            t = rng.randint(D + 1, P1)
            if rng.random() < 0.66:
                m = ppl.recruit(c.ctype, t)
            else:
                m = ppl.veteran(c.ctype)
            m.segs.append([c, t, INF])
        # events after D for members active on D
        movers = [m for m in members_a if not m.core and not m.segs[-1][0].stable
                  and m is not boundary_in]
        k_dead = max(1, int(round(ctx.r_dep * spec.members * ctx.yrs_post)))
        k_move = int(round(ctx.r_int * spec.members * ctx.yrs_post))
        k_out = int(round(ctx.r_ext_out * spec.members * ctx.yrs_post))
        picks = rng.sample(movers, min(len(movers), k_dead + k_move + k_out))
        for j, m in enumerate(picks):
            m.no_post = True
            if j == 0:
                t = D + 1                      # leaves the day after the report date
            else:
                t = rng.randint(D + 1, P1)
            if j < k_dead:
                m.left = t
                m.reason = reason_for(m, t)
                m.segs[-1][2] = t
            elif j < k_dead + k_move:
                c0 = m.segs[-1][0]
                a = other_cell(c0, t)
                if a is not None and not a.stable:
                    m.segs[-1][2] = t
                    m.segs.append([a, t, INF])
            else:
                m.segs[-1][2] = t

    members = ppl.members
    # full membership: one year after admission, when that day is within the data
    for m in members:
        f1 = plus_years(m.adm, 1)
        if f1 <= P1 and (m.left is None or f1 < m.left):
            m.full = f1

    # ---- exemptions
    def exemption_period(first, last, p_open, days, reason):
        # [[from, to, reason]] starting in the year before P0 or later: open
        # with probability p_open, else lasting a number of days in `days`.
        lo, hi = max(first, P0 - 365), last - 30
        if lo >= hi:
            return None
        a = rng.randint(lo, hi)
        b = INF if rng.random() < p_open else min(a + rng.randint(*days), P1)
        return [[a, INF if b <= a else b, reason]]

    for m in members:
        if m.core or m.segs[0][0].stable:
            continue
        r = rng.random()
        r2 = rng.random()
        first, last = m.first_from(), min(m.last_to(), P1)
        if m.left is not None:
            last = min(last, m.left)
        if last - first < 90:
            continue
        if P0 - m.birth > 70 * 365 and m.ctype == 'residential' and r < 0.16:
            lo = max(first, P0 - 6 * 365)
            hi = last - 60
            if lo < hi:
                a = rng.randint(lo, hi)
                m.exem = [[a, INF, 'age']]
        elif r2 < 0.008:
            m.exem = exemption_period(first, last, 0.35, (60, 540), 'health')
        elif r2 < 0.014:
            m.exem = exemption_period(first, last, 0.2, (180, 720), 'away')
        elif r2 < 0.016:
            lo, hi = max(first, P0), last - 30
            if lo < hi:
                a = rng.randint(lo, hi)
                b = min(a + rng.randint(30, 200), P1)
                if b > a:
                    m.exem = [[a, b, 'other']]
        if m.exem:
            m.ex_rows = rng.random() < 0.35
    # the designated exempt member of E3 and E4
    for c in onD:
        if c.edge in ('E3', 'E4'):
            m = next(x for x in members_a if x.segs[-1][0] is c and not x.core)
            m.exem = [[P0 - rng.randint(100, 2000), INF, 'age' if P0 - m.birth > 60 * 365 else 'health']]
            m.ex_rows = False
            c.special['exm'] = m

    # ---- members with unexcused months (2: warning, 3+: strike-off review)
    big_ok = [c for c in onD if c.size >= 15 and c.passing and not c.stable and c is not created]
    rng.shuffle(big_ok)
    k_each = max(2, round(spec.members / 2500))
    used = set()
    picked = []
    years = {}
    for mi in wm:
        years.setdefault(mi // 12, []).append(mi)
    ys = [y for y in sorted(years) if len(years[y]) >= 4]
    if ys:
        cand = [m for m in members_a if not m.core and not m.exem and len(m.segs) == 1
                and m.segs[0][1] < P0 and not m.no_post]
        rng.shuffle(cand)
        okc = {id(c) for c in big_ok}
        for m in cand:
            c = m.segs[0][0]
            if id(c) in okc and id(c) not in used:
                used.add(id(c))
                picked.append(m)
                if len(picked) >= 2 * k_each:
                    break
        for j, m in enumerate(picked):
            y = rng.choice(ys)
            n = 2 if j < k_each else rng.choice([3, 3, 4])
            m.forced = set(rng.sample(years[y], n))
            m.clean_year = y
            ctx.bump('designated_warning' if n == 2 else 'designated_strike_off_review')
    # struck-off departures preceded by three months of absence
    for m in members:
        if m.reason == 'struck_off' and m.left is not None and m.segs[-1][0].size >= 15 \
                and not m.exem and m.left <= D and rng.random() < 0.5:
            lm = mi_of(m.left)
            m.forced = {lm - 1, lm - 2, lm - 3}

    # ---- codes: record numbers in order of admission
    members.sort(key=lambda x: (x.adm, x.seq))
    for k, m in enumerate(members):
        m.code = '%s-%06d' % (spec.code, k + 1)

    # ---- rosters
    for c in cells:
        c.roster = []
    for m in members:
        for seg in m.segs:
            hi = seg[2] if m.left is None else min(seg[2], m.left)
            seg[0].roster.append((m, seg[1], hi))
    for c in cells:
        c.roster.sort(key=lambda e: (e[0].code, e[1]))

    # ---- write units, members, memberships, exemptions
    wu = W.w['units']
    # order: region, then each committee followed by its cells, then direct cells
    kids = {}
    for u in committees + cells:
        kids.setdefault(u.parent, []).append(u)
    out = [R]

    def walk(u):
        for ch in kids.get(u.code, []):
            out.append(ch)
            walk(ch)
    walk(R)
    rows = [(u.code, u.parent or '', u.name, u.kind, 'true' if u.grassroots else 'false',
             u.ctype, iso(u.vf), '' if u.vt is None else iso(u.vt)) for u in out]
    wu.writerows(rows)
    ctx.stats['units'] += len(rows)

    W.w['members'].writerows(
        (m.code, m.name, m.gender, iso(m.birth) if (m.seq % 331) else '', iso(m.adm),
         '' if m.full is None else iso(m.full), '' if m.left is None else iso(m.left), m.reason)
        for m in members)
    ctx.stats['members'] += len(members)
    ms_rows = []
    ex_rows = []
    for m in members:
        for c, a, b in m.segs:
            ms_rows.append((m.code, c.code, iso(a), '' if b >= INF else iso(b)))
        if m.exem:
            for a, b, why in m.exem:
                ex_rows.append((m.code, iso(a), '' if b >= INF else iso(b), why))
                ctx.bump('exemption_' + why)
                ctx.bump('exemption_open' if b >= INF else 'exemption_closed')
        if m.left is not None:
            ctx.bump('left_' + m.reason)
    W.w['memberships'].writerows(ms_rows)
    W.w['exemptions'].writerows(ex_rows)
    ctx.stats['memberships'] += len(ms_rows)
    ctx.stats['exemptions'] += len(ex_rows)

    # ---- meetings and attendance
    n_att = 0
    wset = set(wm)
    wmeet, watt = W.w['meetings'], W.w['attendance']
    for c in cells:
        plan_meetings(ctx, c, rng, wset)
        n_att += attend(ctx, c, rng, wset, wmeet, watt)
    ctx.stats['attendance'] += n_att

    # ---- task registrations
    tasks_and_assessments(ctx, rng, spec, members, members_a, cells, onD, n_tasks, n_fg, W)
    classify(ctx, rng, members, cells, W)
    ctx.bump('regions')
    notes = []
    what = {'E1': 'passing, one month exactly 17/20 plus a 10/20 thematic meeting',
            'E2': 'passing, two regular meetings 16/20 and 20/20 in one month',
            'E3': 'passing, 17/20 with an exempt member recorded absent',
            'E4': 'failing, only 16/19 with an exempt member recorded present'}
    for c in onD:
        if c.edge:
            mi = [k for k in c.special if isinstance(k, int)][0]
            notes.append('%s %s %s (%s)' % (c.edge, c.code, month_str(mi), what[c.edge]))
    if created is not None:
        notes.append('created %s on %s (passing)' % (created.code, iso(created.vf)))
    if closed is not None:
        notes.append('closed %s on %s (members moved to %s)'
                     % (closed.code, iso(closed.vt), ', '.join(c.code for c in receivers)))
    if boundary_in is not None:
        notes.append('member %s joins on the end date' % boundary_in.code)
    ctx.log('region %s edge cases: %s' % (spec.code, '; '.join(notes)))
    ctx.log('region %s: %d members (%d active on %s), %d cells, %d attendance rows, %.1fs'
            % (spec.code, len(members), len(members_a), iso(D), len(onD), n_att,
               time.time() - t_start))


# ---------------------------------------------------------------------------
# Meetings
# ---------------------------------------------------------------------------

def pick_day(lo, hi, pref, taken):
    """A day in [lo, hi] near pref, not in taken, avoiding Sundays when possible."""
    if lo > hi:
        return None
    pref = min(max(pref, lo), hi)
    best = None
    for dist in range(0, hi - lo + 1):
        for d in ((pref + dist, pref - dist) if dist else (pref,)):
            if lo <= d <= hi and d not in taken:
                if d % 7 != 0:                     # ordinal % 7 == 0 is a Sunday
                    return d
                if best is None:
                    best = d
    return best


def minutes_for(ctx, rng, d, kind):
    if d < ctx.rule42:
        if rng.random() < 0.85:
            return ''
        return str(rng.randrange(45, 151, 5))
    r = rng.random()
    if r < 0.05:
        return ''
    if kind == 'combined':
        return str(rng.randrange(90, 116, 5) if r < 0.13 else rng.randrange(120, 181, 5))
    return str(rng.randrange(60, 86, 5) if r < 0.13 else rng.randrange(90, 151, 5))


def topic_for(rng, d, kind):
    dd = _fromord(d)
    if kind == 'regular':
        return '' if rng.random() < 0.1 else 'Sinh hoạt chi bộ định kỳ tháng %d/%d' % (dd.month, dd.year)
    if kind == 'combined':
        return 'Sinh hoạt định kỳ tháng %d/%d kết hợp chuyên đề: %s' % (dd.month, dd.year, rng.choice(THEMES))
    if kind == 'thematic':
        return 'Chuyên đề: %s' % rng.choice(THEMES)
    return '' if rng.random() < 0.15 else rng.choice(EXTRA_TOPICS)


def plan_meetings(ctx, c, rng, wset):
    """c.meetings = sorted list of (ordinal, kind, month, directive)."""
    out = []
    vt = c.end()
    fail_missing = set(c.fail_months) if c.fail_mode == 'missing' else set()
    qplan = {}
    for mi in ctx.months:
        mf, ml = ctx.mfirst[mi], ctx.mlast[mi]
        lo, hi = max(mf, c.vf, ctx.P0), min(ml, vt - 1, ctx.P1)
        if lo > hi:
            continue
        q = mi // 3
        if q not in qplan:
            off = (c.habit_q + rng.choice((0, 0, 0, 1, 2))) % 3
            skip = rng.random() < ctx.p_skip_thematic
            qplan[q] = (None if skip else q * 3 + off, rng.random() < ctx.p_combined)
        them_mi, comb = qplan[q]
        them_here = them_mi == mi
        taken = set()
        pref = mf + c.habit - 1 + rng.randint(-2, 3)
        sp = c.special.get(mi)
        if sp is not None:
            d1 = pick_day(lo, hi, pref, taken)
            taken.add(d1)
            if sp == 'E1':
                d2 = pick_day(lo, hi, d1 + 9, taken)
                out.append((d1, 'regular', mi, ('exact', 17)))
                out.append((d2, 'thematic', mi, ('exact', 10)))
            elif sp == 'E2':
                d2 = pick_day(lo, hi, d1 + 14, taken)
                out.append((d1, 'regular', mi, ('exact', 16)))
                out.append((d2, 'regular', mi, ('exact', 20)))
            elif sp == 'E3':
                out.append((d1, 'regular', mi, ('exact', 17, 'absent')))
            else:  # E4
                out.append((d1, 'regular', mi, ('exact', 16, 'present')))
            continue
        if mi in wset:
            missing = mi in fail_missing
        else:
            missing = rng.random() < ctx.p_missing_out
        low = c.fail_mode == 'low' and mi in c.fail_months
        direc = ('low',) if low else None
        d1 = pick_day(lo, hi, pref, taken)
        taken.add(d1)
        if missing:
            if them_here or rng.random() < 0.3:
                out.append((d1, 'thematic', mi, None))
                ctx.bump('months_thematic_only')
            ctx.bump('months_without_regular')
        else:
            if them_here and comb:
                out.append((d1, 'combined', mi, direc))
            else:
                out.append((d1, 'regular', mi, direc))
                if them_here:
                    d2 = pick_day(lo, hi, d1 + rng.choice((-1, 1)) * rng.randint(7, 12), taken)
                    if d2 is not None:
                        taken.add(d2)
                        out.append((d2, 'thematic', mi, None))
            if rng.random() < ctx.p_double:
                d3 = pick_day(lo, hi, d1 + rng.randint(10, 16), taken)
                if d3 is not None:
                    taken.add(d3)
                    out.append((d3, 'regular', mi, direc))
                    ctx.bump('months_two_regular')
        if rng.random() < ctx.p_extra:
            d4 = pick_day(lo, hi, d1 + rng.randint(3, 20), taken)
            if d4 is not None:
                taken.add(d4)
                out.append((d4, 'extraordinary', mi, None))
    order = {'regular': 0, 'combined': 1, 'thematic': 2, 'extraordinary': 3}
    out.sort(key=lambda x: (x[0], order[x[1]]))
    c.meetings = out


def attend(ctx, c, rng, wset, wmeet, watt):
    """Write the cell's meetings and attendance; returns attendance rows written."""
    roster = c.roster
    code = c.code
    rnd = rng.random
    n_rows = 0
    exm = c.special.get('exm')
    tally = {}
    for d, kind, mi, direc in c.meetings:
        ds = iso(d)
        wmeet.writerow((code, ds, kind, topic_for(rng, d, kind), minutes_for(ctx, rng, d, kind)))
        ctx.stats['meetings'] += 1
        ctx.bump('meeting_' + kind)
        cov = [e[0] for e in roster if e[1] <= d < e[2]]
        st = [None] * len(cov)
        exp = []
        for j, m in enumerate(cov):
            if m.exem is not None and m.exempt_on(d):
                if m.ex_rows:
                    r = rnd()
                    st[j] = 'present' if r < 0.25 else 'excused' if r < 0.8 else 'absent'
            else:
                exp.append(j)
        e = len(exp)
        rc = kind in RC
        if direc is not None and direc[0] == 'exact':
            k = direc[1]
            want = {'E1': 20, 'E2': 20, 'E3': 20, 'E4': 19}[c.edge]
            if e != want:
                raise AssertionError('edge cell %s has %d expected, wants %d' % (code, e, want))
            pres = set(rng.sample(exp, k))
            for j in exp:
                st[j] = 'present' if j in pres else ('excused' if rnd() < 0.6 else 'absent')
            if len(direc) > 2:
                jx = cov.index(exm)
                st[jx] = direc[2]
        elif direc is not None and direc[0] == 'low' and rc:
            k = int(e * rng.uniform(0.55, 0.8))
            while k * 20 >= 17 * e:
                k -= 1
            pres = set(rng.sample(exp, max(k, 0)))
            for j in exp:
                st[j] = 'present' if j in pres else ('excused' if rnd() < 0.5 else 'absent')
        else:
            shift = 0.0 if rc else 0.06
            for j in exp:
                m = cov[j]
                if rc and m.forced is not None and mi in m.forced:
                    st[j] = 'absent'
                    continue
                r = rnd() + shift
                s = 'present' if r < m.p else 'excused' if r < m.pe else 'absent'
                if s == 'absent' and rc and m.clean_year == mi // 12:
                    s = 'excused'
                st[j] = s
            if rc and mi in wset and (c.passing or mi not in c.fail_months):
                need = (17 * e + 19) // 20
                have = sum(1 for j in exp if st[j] == 'present')
                if have < need:
                    miss = [j for j in exp if st[j] != 'present' and
                            not (cov[j].forced is not None and mi in cov[j].forced)]
                    rng.shuffle(miss)
                    forced = [j for j in exp if st[j] != 'present' and j not in miss]
                    for j in (miss + forced)[:need - have]:
                        st[j] = 'present'
        if rc and mi in wset:
            p = sum(1 for j in exp if st[j] == 'present')
            t = tally.get(mi)
            tally[mi] = (p, e) if t is None else (t[0] + p, t[1] + e)
        rows = []
        rec = c.rec_absent
        for j, m in enumerate(cov):
            s = st[j]
            if s is None:
                continue
            if s == 'absent':
                if (rec and rnd() < 0.1) or (not rec and rnd() < 0.95):
                    ctx.bump('absent_omitted')
                    continue
            rows.append((code, ds, kind, m.code, s))
        watt.writerows(rows)
        n_rows += len(rows)
    # the generator's own check of its pass/fail design
    if c.exists(ctx.D):
        ok = True
        judged = False
        for mi in ctx.wmonths:
            if not (c.vf <= ctx.mlast[mi] and c.end() > ctx.mfirst[mi]):
                continue
            t = tally.get(mi)
            if t is None:
                ok = False
                continue
            if t[1] == 0:
                continue
            judged = True
            if t[0] * 20 < 17 * t[1]:
                ok = False
        if not judged or ok != c.passing:
            raise AssertionError('cell %s: designed passing=%s, came out %s (judged %s)'
                                 % (c.code, c.passing, ok, judged))
    return n_rows


# ---------------------------------------------------------------------------
# Task registrations, assessments
# ---------------------------------------------------------------------------

def in_region_during(m, a, b):
    """Member belongs to some cell on some day of [a, b]."""
    for c, s, e in m.segs:
        if s <= b and e > a and (m.left is None or m.left > max(a, s)):
            return True
    return False


def tasks_and_assessments(ctx, rng, spec, members, members_a, cells, onD, n_tasks, n_fg, W):
    wt, wa = W.w['task_registrations'], W.w['assessments']
    # who can register in a year: in a cell some day from 1 January to 31 October,
    # admitted by 31 October
    reg_years = sorted(set(ctx.touched_years) | set(ctx.years) |
                       {ctx.touched_years[0] - 1, ctx.touched_years[0] - 2})

    def can_reg(m, y):
        last = od(y, 10, 31)
        return m.adm <= last and in_region_during(m, od(y, 1, 1), last)

    counted_pool = [m for m in members_a if any(can_reg(m, y) for y in ctx.robust_years)]
    n_no = len(members_a) - n_tasks
    forced_no = len(members_a) - len(counted_pool)
    if forced_no > n_no:
        ctx.log('warning: region %s: %d members cannot register in %s; target %d not reachable'
                % (spec.code, forced_no, ctx.robust_years, n_tasks))
        n_tasks = len(counted_pool)
    counted = set(id(m) for m in rng.sample(counted_pool, n_tasks))
    for m in members_a:
        m.task = 'yes' if id(m) in counted else 'no'
    rows = []
    touched = set(ctx.touched_years)
    cur_year = _fromord(ctx.P1).year
    p0y = _fromord(ctx.P0).year
    for m in members:
        ys = [y for y in reg_years if can_reg(m, y)]
        if not ys:
            continue
        if m.task == 'yes':
            must = rng.choice([y for y in ys if y in ctx.robust_years])
            chosen = [y for y in ys if y == must or rng.random() < (0.9 if y >= p0y else 0.4)]
        elif m.task == 'no':
            chosen = [y for y in ys if y not in touched and rng.random() < 0.4]
        else:
            chosen = [y for y in ys if rng.random() < (0.85 if y >= p0y else 0.4)]
        for y in chosen:
            kinds = ['new'] if rng.random() < 0.62 else ['difficult'] if rng.random() < 0.75 \
                else ['new', 'difficult']
            for kd in kinds:
                pool = TASKS_NEW if kd == 'new' else TASKS_DIFFICULT
                titles = rng.sample(pool, 2 if rng.random() < 0.08 else 1)
                for t in titles:
                    if y < cur_year or od(y, 12, 31) <= ctx.P1:
                        oc = rng.choices(['completed', 'not_completed', 'pending', ''], [80, 9, 3, 8])[0]
                    else:
                        oc = rng.choices(['pending', '', 'completed'], [50, 40, 10])[0]
                    rows.append((m.code, str(y), kd, t, oc))
    wt.writerows(rows)
    ctx.stats['task_registrations'] += len(rows)

    # ---- member assessments
    periods = ctx.assess_periods

    def eligible(m, sch, s, e, tag):
        if m.left is not None and m.left <= e:
            return False
        c = m.cell_on(e)
        if c is None or m.exempt_on(e):
            return False
        if tag == 'quarter':
            return c.quarterly and m.adm <= s
        if tag == 'pilot':
            return c.pilot5 and m.adm <= e - 183
        return m.adm <= e - 183

    slots = {}
    for m in members:
        sl = [p for p in periods if eligible(m, *p)]
        # the natural key is (subject, scheme, period_start): a member assessed
        # quarterly in a year is not also assessed for the whole year
        qstarts = {p[1] for p in sl if p[3] == 'quarter'}
        if qstarts:
            sl = [p for p in sl if not (p[3] == 'year' and p[1] in qstarts)]
        slots[id(m)] = sl
    inw = {id(m): [p for p in slots[id(m)] if ctx.inside_w(p[1], p[2])] for m in members_a}
    assessable = [m for m in members_a if inw[id(m)]]
    forced_na = len(members_a) - len(assessable)
    n_rest = len(members_a) - n_fg
    if forced_na > n_rest or n_fg > len(assessable):
        ctx.log('warning: region %s: %d members cannot be assessed inside the window; '
                'four-good target %d not reachable' % (spec.code, forced_na, n_fg))
        n_fg = min(n_fg, len(assessable))
        n_rest = len(members_a) - n_fg
    rng.shuffle(assessable)
    achieved = assessable[:n_fg]
    others = assessable[n_fg:]
    n_not_ach = min(len(others), max(0, int(round((n_rest - forced_na) * 0.6))))
    for m in achieved:
        m.fg = 'achieved'
    for m in others[:n_not_ach]:
        m.fg = 'not_achieved'
    for m in others[n_not_ach:]:
        m.fg = 'not_assessed'
    for m in members_a:
        if m.fg is None:
            m.fg = 'not_assessed'
    rows = []
    for m in members:
        sl = slots[id(m)]
        if not sl:
            continue
        fg = m.fg
        if fg == 'not_achieved':
            inside = [p for p in sl if ctx.inside_w(p[1], p[2])]
            bad = rng.choice(inside)
        for p in sl:
            sch, s, e, tag = p
            n = SCHEMES[sch][1]
            inside = ctx.inside_w(s, e)
            if fg == 'not_assessed' and inside:
                continue
            if not inside and tag == 'year' and s < ctx.P0 and rng.random() < 0.5:
                continue                        # older history only partly loaded
            if fg == 'achieved' and inside:
                flags = '1' * n
            elif fg == 'not_achieved' and inside:
                if p is bad:
                    flags = list('1' * n)
                    for k in rng.sample(range(n), 1 if rng.random() < 0.8 else 2):
                        flags[k] = '0'
                    flags = ''.join(flags)
                else:
                    flags = '1' * n if rng.random() < 0.7 else \
                        ''.join('0' if rng.random() < 0.2 else '1' for _ in range(n))
            elif fg == 'achieved' and not inside:
                flags = '1' * n if rng.random() < 0.85 else \
                    ''.join('0' if k == rng.randrange(n) else '1' for k in range(n))
            elif fg == 'not_assessed' and not inside:
                flags = '1' * n if rng.random() < 0.9 else '1' * (n - 1) + '0'
            else:
                flags = '1' * n if rng.random() < 0.88 else \
                    ''.join('0' if rng.random() < 0.3 else '1' for _ in range(n))
            if sch == 'DV5T':
                ctx.bump('assessments_DV5T')
            rows.append(('member', m.code, sch, iso(s), iso(e), flags))
    # ---- cell assessments (yearly)
    for c in cells:
        for sch, s, e, tag in periods:
            if tag != 'year' or not c.exists(e):
                continue
            if c.passing:
                flags = '1111' if rng.random() < 0.88 else rng.choice(['1101', '0111', '1110', '1011'])
            else:
                flags = rng.choice(['1011', '1011', '1111', '0011'])
            rows.append(('cell', c.code, 'CB4T', iso(s), iso(e), flags))
    wa.writerows(rows)
    ctx.stats['assessments'] += len(rows)


# ---------------------------------------------------------------------------
# Classifications
# ---------------------------------------------------------------------------

def score_for(rng, grade, y):
    if rng.random() < (0.35 if y < 2025 else 0.05):
        return ''
    lo, hi = {'excellent': (9000, 10000), 'good': (7000, 8999),
              'completed': (5000, 6999), 'not_completed': (2000, 4999)}[grade]
    v = rng.randint(lo, hi)
    return '%d.%02d' % divmod(v, 100)


def classify(ctx, rng, members, cells, W):
    wc = W.w['classifications']
    rows = []
    years = ctx.class_years
    over_year = years[-1] if years else None
    for y in years:
        dec31 = od(y, 12, 31)
        jun30 = od(y, 6, 30)
        by_org = {}
        for m in members:
            if m.adm > jun30:
                continue
            c = m.cell_on(dec31)
            if c is None or m.exempt_on(dec31):
                continue
            by_org.setdefault(c.org.code, []).append(m)
        over_org = None
        if y == over_year:
            big = [o for o in sorted(by_org) if len(by_org[o]) >= 16]
            over_org = rng.choice(big) if big else None
        for org in sorted(by_org):
            ms = sorted(by_org[org], key=lambda x: x.code)
            n = len(ms)
            order = list(range(n))
            rng.shuffle(order)
            n_nc = int(n * rng.uniform(0, 0.02))
            n_c = int(n * rng.uniform(0.04, 0.12))
            rest = n - n_nc - n_c
            exc = int(rest * rng.uniform(0.09, 1 / 6.0))
            if 6 * exc > rest:
                exc = rest // 6
            if org == over_org and rest >= 12:
                exc = rest // 6 + max(1, rest // 25)
                over_done = True
                ctx.bump('orgs_over_quota')
            grades = {}
            for k, j in enumerate(order):
                if k < exc:
                    g = 'excellent'
                elif k < exc + n_c:
                    g = 'completed'
                elif k < exc + n_c + n_nc:
                    g = 'not_completed'
                else:
                    g = 'good'
                grades[j] = g
            for j, m in enumerate(ms):
                g = grades[j]
                rows.append(('member', m.code, str(y), g, score_for(rng, g, y)))
        for c in cells:
            if not c.exists(dec31):
                continue
            if c.passing:
                g = rng.choices(GRADES, [15, 68, 16, 1])[0]
            else:
                g = rng.choices(GRADES, [2, 40, 50, 8])[0]
            rows.append(('cell', c.code, str(y), g, score_for(rng, g, y)))
    wc.writerows(rows)
    ctx.stats['classifications'] += len(rows)


# ---------------------------------------------------------------------------
# Scales
# ---------------------------------------------------------------------------

def district_plan(ctx, n):
    cells = PUBLISHED['cells'] if n == PUBLISHED['members'] else \
        max(30, round(n * PUBLISHED['cells'] / PUBLISHED['members']))
    if n < 900:
        raise SystemExit('chibo_gen: --members must be at least 900')
    spec = RegionSpec('TH', 'Tây Hồ', 'quận', None, od(1996, 1, 1), n, cells, TH_WARDS)
    return [], [(spec, 'TH')]


def city_regions(rng, root_code, n, districts, vf):
    """District-level regions under one root, members split by weight (urban larger)."""
    weights = []
    for code, name, lvl in districts:
        base = 1.35 if lvl == 'quận' else 0.8
        weights.append(base * rng.uniform(0.7, 1.3))
    counts = split_counts(n, weights)
    regs = []
    for (code, name, lvl), nm in zip(districts, counts):
        cells = max(30, round(nm / 29.7))
        fixed = TH_WARDS if (root_code == 'HN' and code == 'TH') else None
        regs.append(RegionSpec('%s.%s' % (root_code, code), name, lvl, root_code, vf, nm, cells, fixed))
    return regs


def city_plan(ctx, n):
    rng = random.Random('chibo:%s:plan' % ctx.seed)
    k = max(1, min(30, n // 6000))
    if n < 900 * k:
        raise SystemExit('chibo_gen: --members too small for the city scale (at least 900)')
    root = Unit('HN', None, 'Đảng bộ thành phố Hà Nội', 'committee', False, '', od(2008, 8, 1))
    regs = city_regions(rng, 'HN', n, HANOI_DISTRICTS[:k], root.vf)
    return [root], [(r, r.code) for r in regs]


def country_plan(ctx, n):
    rng = random.Random('chibo:%s:plan' % ctx.seed)
    provinces = PROVINCES[:max(1, min(len(PROVINCES), n // 20000))]
    counts = split_counts(n, [p[3] for p in provinces])
    if min(counts) < 900:
        raise SystemExit('chibo_gen: --members too small for the country scale (at least 900)')
    roots, regs = [], []
    for (pc, pname, pkind, _, rural), np_ in zip(provinces, counts):
        vf = od(2008, 8, 1) if pc == 'HN' else od(1997, 1, 1)
        roots.append(Unit(pc, None, 'Đảng bộ %s %s' % (pkind, pname), 'committee', False, '', vf))
        k = max(1, min(60, int(round(np_ / 16000))))
        if pc == 'HN':
            dists = HANOI_DISTRICTS[:min(k, 30)]
        else:
            taken = set()
            dists = []
            names = place_names(rng, k, set())
            for i, nm in enumerate(names):
                if rng.random() < rural:
                    lvl = 'huyện'
                elif pkind == 'thành phố':
                    lvl = 'quận'
                else:                           # a provincial city, then towns
                    lvl = 'thành phố' if i == 0 else 'thị xã' if i == 1 else 'huyện'
                code = initials(nm)
                base, j = code, 2
                while code in taken:
                    code = '%s%d' % (base, j)
                    j += 1
                taken.add(code)
                dists.append((code, nm, lvl))
        regs.extend(city_regions(rng, pc, np_, dists, vf))
    return roots, [(r, r.code) for r in regs]


def generate(args):
    ctx = Ctx(args)
    default_n = {'district': PUBLISHED['members'], 'city': 475000, 'country': 1750000}[ctx.scale]
    n = args.members if args.members is not None else default_n
    if ctx.scale == 'district':
        roots, regs = district_plan(ctx, n)
    elif ctx.scale == 'city':
        roots, regs = city_plan(ctx, n)
    else:
        roots, regs = country_plan(ctx, n)
    W = Writers(args.out)
    ctx.log('scale %s, seed %s, period %s..%s, window %s..%s, %d members in %d region(s) -> %s'
            % (ctx.scale, ctx.seed, iso(ctx.P0), iso(ctx.P1), month_str(ctx.wm0),
               month_str(ctx.wm1), n, len(regs), args.out))
    try:
        for r in roots:
            W.w['units'].writerow((r.code, '', r.name, 'committee', 'false', '', iso(r.vf), ''))
            ctx.stats['units'] += 1
        for i, (spec, tag) in enumerate(regs):
            gen_region(ctx, spec, W, tag)
            if len(regs) > 1:
                ctx.log('%d/%d regions, %s attendance rows so far'
                        % (i + 1, len(regs), format(ctx.stats['attendance'], ',')))
    finally:
        W.close()
    ctx.log('done: ' + ', '.join('%s %d' % (f, ctx.stats[f]) for f in FILES))
    ctx.log('features: ' + ', '.join('%s %d' % kv for kv in sorted(ctx.extra.items())))
    return ctx


# ---------------------------------------------------------------------------
# Reading the files back (shared by --report and --self-test)
# ---------------------------------------------------------------------------

def read_rows(d, name, errors=None):
    """Yield (line, row) of DIR/name.csv after checking the header."""
    path = os.path.join(d, name + '.csv')
    with open(path, newline='', encoding='utf-8') as fh:
        rd = csv.reader(fh)
        header = next(rd, None)
        if header != COLUMNS[name]:
            msg = '%s.csv: header %r, expected %r' % (name, header, COLUMNS[name])
            if errors is None:
                raise SystemExit(msg)
            errors.add(name, 0, msg)
            return
        ncol = len(COLUMNS[name])
        for i, row in enumerate(rd, 1):
            if len(row) != ncol:
                if errors is not None:
                    errors.add(name, i, 'has %d fields, expected %d' % (len(row), ncol))
                continue
            yield i, row


EMPTY_HI = '9999-12-31'


def month_bounds_s(mi):
    return iso(month_first(mi)), iso(month_last(mi))


# ---------------------------------------------------------------------------
# --report: the headline indicators, computed from the files
# ---------------------------------------------------------------------------

def report(args):
    """Headline indicators of one unit over one window, from the CSV files alone.

    Follows shared/spec/indicators.md literally; shares nothing with the
    generator but the column names and date helpers.
    """
    d = args.report
    unit = args.unit
    wm0 = parse_month(args.first_month or DISTRICT_WINDOW[0])
    wm1 = parse_month(args.last_month or DISTRICT_WINDOW[1])
    t = Fraction(args.threshold)
    W0, D = iso(month_first(wm0)), iso(month_last(wm1))
    t0 = time.time()

    # units: code -> (parent, kind, grassroots, cell_type, valid_from, valid_to)
    units = {}
    for _, r in read_rows(d, 'units'):
        units[r[0]] = (r[1], r[3], r[4] == 'true', r[5], r[6], r[7] or EMPTY_HI)
    if unit not in units:
        raise SystemExit('report: unknown unit %s' % unit)
    insub = {}

    def in_subtree(code, top=unit):
        key = (code, top)
        v = insub.get(key)
        if v is None:
            x, v, hops = code, False, 0
            while x and hops < 1000:
                if x == top:
                    v = True
                    break
                x = units[x][0] if x in units else ''
                hops += 1
            insub[key] = v
        return v

    def unit_exists(code, day):
        u = units[code]
        return u[4] <= day < u[5]

    def existed_in_month(code, mi):
        a, b = month_bounds_s(mi)
        u = units[code]
        return u[4] <= b and u[5] > a

    left = {}
    for _, r in read_rows(d, 'members'):
        left[r[0]] = r[6] or EMPTY_HI
    by_cell, by_member = {}, {}
    for _, r in read_rows(d, 'memberships'):
        m, c, a, b = r[0], r[1], r[2], r[3] or EMPTY_HI
        by_cell.setdefault(c, []).append((m, a, b))
        by_member.setdefault(m, []).append((c, a, b))
    exem = {}
    for _, r in read_rows(d, 'exemptions'):
        exem.setdefault(r[0], []).append((r[1], r[2] or EMPTY_HI))

    def exempt(m, day):
        for a, b in exem.get(m, ()):
            if a <= day < b:
                return True
        return False

    def belonging(c, day):
        """Members belonging to cell c on day (membership covers it, not left before)."""
        return [m for m, a, b in by_cell.get(c, ()) if a <= day < b and day < left.get(m, EMPTY_HI)]

    def cell_of(m, day):
        if not day < left.get(m, EMPTY_HI):
            return None
        for c, a, b in by_member.get(m, ()):
            if a <= day < b:
                return c
        return None

    def cells_of(day):
        return [c for c, u in units.items() if u[1] == 'cell' and unit_exists(c, day) and in_subtree(c)]

    # 1. active members on D
    active = set()
    multi = 0
    for c in cells_of(D):
        for m in belonging(c, D):
            if m in active:
                multi += 1
            active.add(m)
    nA = len(active)

    # 2. task registrations
    years_touch = set(range(wm0 // 12, wm1 // 12 + 1))
    years_inside = {y for y in years_touch if '%04d-01-01' % y >= W0 and '%04d-12-31' % y <= D}
    reg_touch, reg_inside = set(), set()
    for _, r in read_rows(d, 'task_registrations'):
        if r[0] in active:
            y = int(r[1])
            if y in years_touch:
                reg_touch.add(r[0])
            if y in years_inside:
                reg_inside.add(r[0])

    # 3. four-good members (member-subject schemes; inside W = period inside W)
    member_n = {k: v[1] for k, v in SCHEMES.items() if v[0] == 'member'}
    fg, fg_out = {}, {}
    for _, r in read_rows(d, 'assessments'):
        if r[0] != 'member' or r[1] not in active or r[2] not in member_n:
            continue
        tgt = fg if (r[3] >= W0 and r[4] <= D) else fg_out
        st = tgt.setdefault(r[1], [set(), True])
        st[0].add(member_n[r[2]])
        if '0' in r[5]:
            st[1] = False
    achieved = not_ach = mixed = 0
    for m in active:
        st = fg.get(m)
        if st is None:
            continue
        if len(st[0]) > 1:
            mixed += 1
        elif st[1]:
            achieved += 1
        else:
            not_ach += 1
    not_assessed = nA - achieved - not_ach - mixed

    # 4. meetings held in W by cells of the subtree (as the tree stood that day)
    # key -> [cell, month, kind, belonging set, exempt set, present set, excused set]
    meetings = {}
    for _, r in read_rows(d, 'meetings'):
        c, day, kind = r[0], r[1], r[2]
        if not (W0 <= day <= D) or c not in units or not in_subtree(c) or not unit_exists(c, day):
            continue
        bel = set(belonging(c, day))
        exm = {m for m in bel if m in exem and exempt(m, day)}
        mi = int(day[:4]) * 12 + int(day[5:7]) - 1
        meetings[(c, day, kind)] = [c, mi, kind, bel, exm, set(), set()]
    for _, r in read_rows(d, 'attendance'):
        mt = meetings.get((r[0], r[1], r[2]))
        if mt is None or r[3] not in mt[3]:
            continue
        if r[4] == 'present':
            mt[5].add(r[3])
        elif r[4] == 'excused':
            mt[6].add(r[3])

    def counts(mt, exempt_counts=False):
        """(present, expected, excused) of one meeting."""
        bel, exm, pres, exc = mt[3], mt[4], mt[5], mt[6]
        if exempt_counts:
            return len(pres), len(bel), len(exc)
        return len(pres - exm), len(bel) - len(exm), len(exc - exm)

    by_cell_month = {}
    for mt in meetings.values():
        by_cell_month.setdefault((mt[0], mt[1]), []).append(mt)

    zero_months = [0]

    def judge(cells, kinds=RC, exempt_counts=False, per_meeting=False, before_creation=False,
              strict=False):
        """(passing, judged, failing for a missing month, failing for a low month)."""
        ok = judged_n = f_miss = f_low = 0
        zero_months[0] = 0

        def below(p, e):
            return Fraction(p, e) <= t if strict else Fraction(p, e) < t
        for c in cells:
            judged = False
            good = True
            miss = low = False
            for mi in range(wm0, wm1 + 1):
                if not before_creation and not existed_in_month(c, mi):
                    continue
                ms = [mt for mt in by_cell_month.get((c, mi), ()) if mt[2] in kinds]
                if not ms:
                    good, miss, judged = False, True, True
                    continue
                parts = [counts(mt, exempt_counts) for mt in ms]
                if per_meeting:
                    for p, e, _ in parts:
                        if e:
                            judged = True
                            if below(p, e):
                                good, low = False, True
                    continue
                p, e = sum(x[0] for x in parts), sum(x[1] for x in parts)
                if e == 0:
                    zero_months[0] += 1
                    continue                    # 0/0: not judged
                judged = True
                if below(p, e):
                    good, low = False, True
            if not judged:
                continue
            judged_n += 1
            if good:
                ok += 1
            else:
                f_miss += miss
                f_low += low
        return ok, judged_n, f_miss, f_low

    cells_D = cells_of(D)
    ok, judged_cells, fail_missing, fail_low = judge(cells_D)
    n_zero = zero_months[0]

    pooled = {}
    for mt in meetings.values():
        if mt[2] not in RC:
            continue
        p, e, ex = counts(mt)
        for key in ('all', units[mt[0]][3]):
            pv = pooled.setdefault(key, [0, 0, 0])
            pv[0] += p
            pv[1] += e
            pv[2] += ex

    # members needing attention: unexcused months per calendar year (months of W)
    unexc = {}
    omitted = 0
    for mt in meetings.values():
        if mt[2] not in RC:
            continue
        bel, exm, pres, exc = mt[3], mt[4], mt[5], mt[6]
        for m in bel:
            if m in exm or m in pres or m in exc:
                continue
            unexc.setdefault((m, mt[1] // 12), set()).add(mt[1])
    attention = {}
    for (m, y), months in unexc.items():
        k = len(months)
        if k >= 2:
            a = attention.setdefault(y, [0, 0])
            a[0 if k == 2 else 1] += 1
    # rows actually written as absent vs. absences by omission
    absent_rows = 0
    for _, r in read_rows(d, 'attendance'):
        if r[4] == 'absent':
            mt = meetings.get((r[0], r[1], r[2]))
            if mt is not None and mt[2] in RC and r[3] in mt[3] and r[3] not in mt[4]:
                absent_rows += 1
    total_absent = 0
    for mt in meetings.values():
        if mt[2] in RC:
            p, e, ex = counts(mt)
            total_absent += e - p - ex
    omitted = total_absent - absent_rows

    # grading quota per grassroots organisation of the subtree, per year
    grades = {}
    for _, r in read_rows(d, 'classifications'):
        if r[0] == 'member':
            grades[(r[1], int(r[2]))] = r[3]
    quota = {}
    org_cache = {}

    def orgs_of(c, day):
        """Grassroots organisations of U's subtree whose subtree holds cell c on day."""
        key = (c, day)
        v = org_cache.get(key)
        if v is None:
            v, x, hops = [], c, 0
            while x and x in units and hops < 1000:
                if units[x][2] and unit_exists(x, day) and in_subtree(x):
                    v.append(x)
                x = units[x][0]
                hops += 1
            org_cache[key] = v
        return v

    for y in sorted({y for _, y in grades}):
        dec31 = '%04d-12-31' % y
        exc_good = {}
        for (m, yy), g in grades.items():
            if yy != y or g not in ('excellent', 'good'):
                continue
            c = cell_of(m, dec31)
            if c is None or not unit_exists(c, dec31):
                continue
            for o in orgs_of(c, dec31):
                v = exc_good.setdefault(o, [0, 0])
                v[0 if g == 'excellent' else 1] += 1
        over = sorted(o for o, (e, g) in exc_good.items() if e * 5 > g)
        quota[y] = (len(exc_good), over)

    out = []
    out.append('unit %s, window %s..%s, end date %s, threshold %s, policy excused_count'
               % (unit, month_str(wm0), month_str(wm1), D, args.threshold))
    out.append('active_members %d' % nA)
    if multi:
        out.append('ERROR members in two cells on the end date: %d' % multi)
    out.append('task_registered %d/%d (%s)' % (len(reg_touch), nA, pct(len(reg_touch), nA)))
    out.append('task_registered_years_wholly_inside %d/%d (%s)'
               % (len(reg_inside), nA, pct(len(reg_inside), nA)))
    out.append('four_good %d/%d (%s)' % (achieved, nA, pct(achieved, nA)))
    out.append('four_good_detail achieved %d, not_achieved %d, not_assessed %d, mixed_schemes_error %d'
               % (achieved, not_ach, not_assessed, mixed))
    out.append('cells_attendance_ok %d/%d (%s)' % (ok, judged_cells, pct(ok, judged_cells)))
    out.append('cells_detail existing_on_end_date %d, judged %d, failing with a month without '
               'regular/combined meeting %d, failing with a month below threshold %d, '
               'months 0/0 (not judged) %d'
               % (len(cells_D), judged_cells, fail_missing, fail_low, n_zero))
    for key in ['all'] + CELL_TYPES:
        pv = pooled.get(key)
        if pv is None:
            continue
        out.append('pooled_attendance%s %d/%d (%s)  excused_excluded %d/%d (%s)'
                   % ('' if key == 'all' else '[%s]' % key, pv[0], pv[1], pct(pv[0], pv[1]),
                      pv[0], pv[1] - pv[2], pct(pv[0], pv[1] - pv[2])))
    out.append('absences (regular/combined, in W) %d: written as rows %d, by omission %d'
               % (total_absent, absent_rows, omitted))
    for y in sorted(attention):
        out.append('members_attention %d (months of W): warning %d, strike_off_review %d'
                   % (y, attention[y][0], attention[y][1]))
    for y in sorted(quota):
        n_orgs, over = quota[y]
        out.append('grading_quota %d: %d organisations graded, over quota %d%s'
                   % (y, n_orgs, len(over), (' (%s)' % ', '.join(over[:5]) +
                                             (' ...' if len(over) > 5 else '')) if over else ''))
    if args.traps:
        out.append('-- what common misreadings of indicators.md would give:')
        careless_fg = 0
        for m in active:
            a, b = fg.get(m), fg_out.get(m)
            if (a or b) and (a is None or a[1]) and (b is None or b[1]):
                careless_fg += 1
        out.append('trap four_good counting assessments outside W: %d/%d' % (careless_fg, nA))
        for label, kw in (('thematic/extraordinary meetings counted', {'kinds': MEETING_KINDS}),
                          ('exempt members counted as expected', {'exempt_counts': True}),
                          ('each meeting judged alone, not the month pooled', {'per_meeting': True}),
                          ('months before a cell was created judged', {'before_creation': True}),
                          ('regular only (combined not counted)', {'kinds': ('regular',)}),
                          ('ratio must exceed the threshold (> not >=)', {'strict': True})):
            a = judge(cells_D, **kw)
            out.append('trap cells_attendance_ok, %s: %d/%d' % (label, a[0], a[1]))
        ever = [c for c, u in units.items() if u[1] == 'cell' and in_subtree(c)
                and u[4] <= D and u[5] > W0]
        a = judge(ever)
        out.append('trap cells_attendance_ok over every cell that existed in W: %d/%d' % (a[0], a[1]))
        loose = set()
        for m, lst in by_member.items():
            if left.get(m) == EMPTY_HI and any(b == EMPTY_HI and a <= D and in_subtree(c)
                                               for c, a, b in lst):
                loose.add(m)
        out.append('trap active members = not left and an open membership: %d' % len(loose))
    ok_exp = True
    if args.expect_published:
        checks = [nA == PUBLISHED['members'],
                  len(reg_touch) == PUBLISHED['tasks'] and len(reg_inside) == PUBLISHED['tasks'],
                  achieved == PUBLISHED['four_good'] and mixed == 0,
                  ok == PUBLISHED['cells_ok'] and judged_cells == PUBLISHED['cells']
                  and len(cells_D) == PUBLISHED['cells']]
        for key in ('administrative', 'armed_forces', 'school'):
            pv = pooled.get(key, [0, 0])
            checks.append(pv[1] > 0 and Fraction(pv[0], pv[1]) > Fraction(9, 10))
        ok_exp = all(checks)
        out.append('published figures: %s' % ('OK' if ok_exp else 'MISMATCH %r' % checks))
    out.append('(%.1fs)' % (time.time() - t0))
    print('\n'.join(out))
    return 0 if ok_exp else 1


# ---------------------------------------------------------------------------
# --self-test: every contract rule, from the files alone
# ---------------------------------------------------------------------------

class Errors:
    def __init__(self, limit=20):
        self.count = {}
        self.samples = []
        self.limit = limit

    def add(self, f, line, msg):
        self.count[f] = self.count.get(f, 0) + 1
        if len(self.samples) < self.limit * 10 and self.count[f] <= self.limit:
            self.samples.append('%s.csv line %d: %s' % (f, line, msg))

    def total(self):
        return sum(self.count.values())


DATE_RE = re.compile(r'\d{4}-\d{2}-\d{2}\Z')
SCORE_RE = re.compile(r'\d{1,3}(\.\d{1,2})?\Z')


def is_date(s):
    if not DATE_RE.match(s):
        return False
    try:
        _date(int(s[:4]), int(s[5:7]), int(s[8:10]))
        return True
    except ValueError:
        return False


def self_test(d):
    t0 = time.time()
    E = Errors()
    today = min(_date.today(), LATEST).isoformat()
    limit = LATEST.isoformat()
    counts = {}
    feat = {}

    def bump(k, n=1):
        feat[k] = feat.get(k, 0) + n

    # units
    units = {}
    for i, r in read_rows(d, 'units', E):
        code, parent, name, kind, gr, ct, vf, vt = r
        if not code:
            E.add('units', i, 'empty code')
            continue
        if code in units:
            E.add('units', i, 'duplicate code %s' % code)
            continue
        if not name:
            E.add('units', i, 'empty name')
        if kind not in ('committee', 'cell'):
            E.add('units', i, 'bad kind %r' % kind)
        if gr not in ('true', 'false'):
            E.add('units', i, 'bad grassroots %r' % gr)
        if kind == 'cell' and ct not in CELL_TYPES:
            E.add('units', i, 'bad cell_type %r' % ct)
        if kind == 'committee' and ct:
            E.add('units', i, 'committee with a cell_type')
        if not is_date(vf) or vf > limit:
            E.add('units', i, 'bad valid_from %r' % vf)
        if vt and (not is_date(vt) or vt <= vf or vt > limit):
            E.add('units', i, 'bad valid_to %r' % vt)
        units[code] = (parent, kind, gr == 'true', ct, vf, vt or EMPTY_HI, i)
        if kind == 'cell':
            bump('cell_type_' + ct)
            bump('cells_grassroots' if gr == 'true' else 'cells_under_committee')
        else:
            bump('committees_grassroots' if gr == 'true' else 'committees_upper')
        if vt:
            bump('units_closed_in_data')
    counts['units'] = len(units)
    for code, (parent, kind, gr, ct, vf, vt, i) in units.items():
        if not parent:
            bump('roots')
            continue
        p = units.get(parent)
        if p is None:
            E.add('units', i, '%s: parent %s does not exist' % (code, parent))
            continue
        if p[1] != 'committee':
            E.add('units', i, '%s: parent %s is a cell' % (code, parent))
        if not (p[4] <= vf and vt <= p[5]):
            E.add('units', i, '%s: parent %s does not exist for the whole validity' % (code, parent))
        # domain: grassroots cells hang under upper committees; other cells under grassroots ones
        if kind == 'cell' and gr and p[2]:
            E.add('units', i, '%s: grassroots cell under a grassroots committee' % code)
        if kind == 'cell' and not gr and not p[2]:
            E.add('units', i, '%s: non-grassroots cell under an upper committee' % code)
    # members
    members = {}
    for i, r in read_rows(d, 'members', E):
        code, name, g, b, adm, full, lf, why = r
        if not code or code in members:
            E.add('members', i, 'empty or duplicate code %r' % code)
            continue
        if not name:
            E.add('members', i, 'empty full_name')
        if g not in ('male', 'female', ''):
            E.add('members', i, 'bad gender %r' % g)
        if b and (not is_date(b) or b > limit):
            E.add('members', i, 'bad birth_date %r' % b)
        if not is_date(adm) or adm > limit:
            E.add('members', i, 'bad admitted_on %r' % adm)
        if full and (not is_date(full) or full < adm or full > limit):
            E.add('members', i, 'bad full_member_on %r' % full)
        if lf and (not is_date(lf) or lf < adm or lf > limit):
            E.add('members', i, 'bad left_on %r' % lf)
        if bool(lf) != bool(why) or (why and why not in LEFT_REASONS):
            E.add('members', i, 'left_reason %r does not match left_on %r' % (why, lf))
        members[code] = (adm, lf or EMPTY_HI)
        if lf:
            bump('left_' + why)
        if not full:
            bump('members_probationary')
    counts['members'] = len(members)
    # memberships
    by_member = {}
    n = 0
    for i, r in read_rows(d, 'memberships', E):
        n += 1
        m, c, a, b = r
        if m not in members:
            E.add('memberships', i, 'unknown member %s' % m)
            continue
        u = units.get(c)
        if u is None or u[1] != 'cell':
            E.add('memberships', i, '%s is not a cell' % c)
            continue
        if not is_date(a) or a > limit:
            E.add('memberships', i, 'bad from_date %r' % a)
            continue
        if b and (not is_date(b) or b <= a or b > limit):
            E.add('memberships', i, 'bad to_date %r' % b)
            continue
        bb = b or EMPTY_HI
        if not (u[4] <= a and bb <= u[5]):
            E.add('memberships', i, 'cell %s does not exist for the whole membership of %s' % (c, m))
        if bb > members[m][1]:
            E.add('memberships', i, 'membership of %s runs past left_on' % m)
        by_member.setdefault(m, []).append((a, bb, c, i))
    counts['memberships'] = n
    for m, lst in by_member.items():
        lst.sort()
        for x, y in zip(lst, lst[1:]):
            if y[0] < x[1]:
                E.add('memberships', y[3], 'memberships of %s overlap' % m)
            elif y[0] == x[1] and y[2] != x[2]:
                bump('transfers_same_day')
        if len(lst) > 1:
            bump('members_with_transfers')
    # exemptions
    exem = {}
    n = 0
    for i, r in read_rows(d, 'exemptions', E):
        n += 1
        m, a, b, why = r
        if m not in members:
            E.add('exemptions', i, 'unknown member %s' % m)
            continue
        if not is_date(a) or a > limit or (b and (not is_date(b) or b <= a or b > limit)):
            E.add('exemptions', i, 'bad dates %r..%r' % (a, b))
            continue
        if why not in EXEMPT_REASONS:
            E.add('exemptions', i, 'bad reason %r' % why)
        exem.setdefault(m, []).append((a, b or EMPTY_HI))
        bump('exemption_' + why)
        bump('exemption_open' if not b else 'exemption_closed')
    counts['exemptions'] = n

    def cell_of(m, day):
        if not day < members[m][1]:
            return None
        for a, b, c, _ in by_member.get(m, ()):
            if a <= day < b:
                return c
        return None

    def is_exempt(m, day):
        for a, b in exem.get(m, ()):
            if a <= day < b:
                return True
        return False

    # meetings
    meet = {}
    for i, r in read_rows(d, 'meetings', E):
        c, day, kind, topic, mins = r
        u = units.get(c)
        if u is None or u[1] != 'cell':
            E.add('meetings', i, '%s is not a cell' % c)
            continue
        if not is_date(day) or day > today:
            E.add('meetings', i, 'bad or future held_on %r' % day)
            continue
        if not (u[4] <= day < u[5]):
            E.add('meetings', i, 'cell %s does not exist on %s' % (c, day))
        if kind not in MEETING_KINDS:
            E.add('meetings', i, 'bad kind %r' % kind)
        if mins and not (mins.isdigit() and int(mins) > 0 and mins[0] != '0'):
            E.add('meetings', i, 'bad minutes %r' % mins)
        key = (c, day, kind)
        if key in meet:
            E.add('meetings', i, 'duplicate meeting %r' % (key,))
            continue
        meet[key] = [len(meet), 0, 0]      # id, expected(with rows), attendance rows
        bump('meeting_' + kind)
        if day < RULE42.isoformat():
            bump('minutes_empty_before_rule' if not mins else 'minutes_set_before_rule')
        else:
            if not mins:
                bump('minutes_empty_after_rule')
            elif int(mins) < (120 if kind == 'combined' else 90):
                bump('minutes_too_short_after_rule')
            else:
                bump('minutes_ok_after_rule')
    counts['meetings'] = len(meet)
    # attendance
    mid = {m: k for k, m in enumerate(members)}
    seen = set()
    n = 0
    for i, r in read_rows(d, 'attendance', E):
        n += 1
        c, day, kind, m, s = r
        mt = meet.get((c, day, kind))
        if mt is None:
            E.add('attendance', i, 'no meeting %s %s %s' % (c, day, kind))
            continue
        if m not in members:
            E.add('attendance', i, 'unknown member %s' % m)
            continue
        if s not in STATUSES:
            E.add('attendance', i, 'bad status %r' % s)
        if cell_of(m, day) != c:
            E.add('attendance', i, 'member %s does not belong to cell %s on %s' % (m, c, day))
        key = (mt[0] << 32) | mid[m]
        if key in seen:
            E.add('attendance', i, 'duplicate row for %s at %s %s %s' % (m, c, day, kind))
        seen.add(key)
        mt[2] += 1
        bump('attendance_' + s)
        if exem.get(m) and is_exempt(m, day):
            bump('attendance_rows_of_exempt_members')
    del seen
    counts['attendance'] = n
    # tasks
    keys = set()
    n = 0
    for i, r in read_rows(d, 'task_registrations', E):
        n += 1
        m, y, kind, title, oc = r
        if m not in members:
            E.add('task_registrations', i, 'unknown member %s' % m)
        if not re.fullmatch(r'\d{4}', y):
            E.add('task_registrations', i, 'bad year %r' % y)
        if kind not in ('new', 'difficult'):
            E.add('task_registrations', i, 'bad kind %r' % kind)
        if not title:
            E.add('task_registrations', i, 'empty title')
        if oc not in ('', 'pending', 'completed', 'not_completed'):
            E.add('task_registrations', i, 'bad outcome %r' % oc)
        k = (m, y, kind, title)
        if k in keys:
            E.add('task_registrations', i, 'duplicate %r' % (k,))
        keys.add(k)
        bump('task_' + kind)
        bump('task_outcome_' + (oc or 'empty'))
    counts['task_registrations'] = n
    # assessments
    keys = set()
    n = 0
    for i, r in read_rows(d, 'assessments', E):
        n += 1
        sk, sc, sch, ps, pe, cr = r
        if sk not in ('member', 'cell'):
            E.add('assessments', i, 'bad subject_kind %r' % sk)
            continue
        if sk == 'member' and sc not in members or \
                sk == 'cell' and (sc not in units or units[sc][1] != 'cell'):
            E.add('assessments', i, 'unknown %s %s' % (sk, sc))
        if sch not in SCHEMES or SCHEMES[sch][0] != sk:
            E.add('assessments', i, 'scheme %r does not fit subject %s' % (sch, sk))
            continue
        if not is_date(ps) or not is_date(pe) or pe < ps or pe > limit:
            E.add('assessments', i, 'bad period %r..%r' % (ps, pe))
        if len(cr) != SCHEMES[sch][1] or set(cr) - {'0', '1'}:
            E.add('assessments', i, 'bad criteria %r for %s' % (cr, sch))
        k = (sk, sc, sch, ps)
        if k in keys:
            E.add('assessments', i, 'duplicate %r' % (k,))
        keys.add(k)
        bump('assessment_' + sch)
    counts['assessments'] = n
    # classifications
    keys = set()
    n = 0
    for i, r in read_rows(d, 'classifications', E):
        n += 1
        sk, sc, y, g, sco = r
        if sk == 'member' and sc not in members or \
                sk == 'cell' and (sc not in units or units[sc][1] != 'cell') or \
                sk not in ('member', 'cell'):
            E.add('classifications', i, 'unknown %s %s' % (sk, sc))
        if not re.fullmatch(r'\d{4}', y):
            E.add('classifications', i, 'bad year %r' % y)
        if g not in GRADES:
            E.add('classifications', i, 'bad grade %r' % g)
        if sco and (not SCORE_RE.match(sco) or not 0 <= float(sco) <= 100):
            E.add('classifications', i, 'bad score %r' % sco)
        k = (sk, sc, y)
        if k in keys:
            E.add('classifications', i, 'duplicate %r' % (k,))
        keys.add(k)
        bump('grade_%s_%s' % (sk, g))
        if not sco:
            bump('score_empty')
    counts['classifications'] = n

    # realism: every feature the generator promises
    need = ['cell_type_' + t for t in CELL_TYPES] + [
        'committees_grassroots', 'cells_grassroots', 'cells_under_committee',
        'units_closed_in_data', 'transfers_same_day', 'exemption_open', 'exemption_closed',
        'meeting_regular', 'meeting_combined', 'meeting_thematic', 'meeting_extraordinary',
        'attendance_present', 'attendance_excused', 'attendance_absent',
        'attendance_rows_of_exempt_members', 'task_new', 'task_difficult',
        'assessment_DV4T', 'assessment_CB4T', 'assessment_DV5T',
        'grade_member_excellent', 'grade_member_good', 'grade_member_completed',
        'members_probationary', 'left_died', 'score_empty']
    missing = [k for k in need if not feat.get(k)]
    print('self-test of %s: %s' % (d, ', '.join('%s %d' % (f, counts.get(f, 0)) for f in FILES)))
    print('features: ' + ', '.join('%s %d' % kv for kv in sorted(feat.items())))
    if missing:
        print('MISSING FEATURES: ' + ', '.join(missing))
    for s in E.samples:
        print('VIOLATION ' + s)
    tot = E.total()
    print('self-test: %d violation(s)%s (%.1fs)'
          % (tot, ''.join(', %s %d' % kv for kv in sorted(E.count.items())), time.time() - t0))
    return 1 if tot or missing else 0


# ---------------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(
        prog='chibo_gen.py',
        description='Deterministic, seeded generator of realistic chibo party-cell data\n'
                    '(the nine CSV files of the import contract), with an independent\n'
                    'indicator report and a contract self-test over the files.',
        epilog='Examples:\n'
               '  %(prog)s --scale district --out /tmp/th\n'
               '  %(prog)s --report /tmp/th --unit TH --first-month 2021-12 --last-month 2024-05\n'
               '  %(prog)s --self-test /tmp/th\n'
               '  %(prog)s --scale city --members 20000 --out /tmp/hn --self-test\n',
        formatter_class=argparse.RawDescriptionHelpFormatter)
    g = ap.add_argument_group('generation')
    g.add_argument('--scale', choices=['district', 'city', 'country'], default='district',
                   help='district: Tây Hồ 2021-01..2024-06 with the published figures (default); '
                        'city: Hanoi, one year, ~475,000 members; country: several provinces, '
                        'one year, ~1.75 million members')
    g.add_argument('--seed', type=int, default=1, help='random seed (default 1)')
    g.add_argument('--out', metavar='DIR', help='directory to write the nine CSV files into')
    g.add_argument('--members', type=int, metavar='N',
                   help='members active on the report date (default: 7560 / 475000 / 1750000); '
                        'cells scale with it')
    g.add_argument('--year', type=int, metavar='YYYY',
                   help='period = that calendar year (city/country default 2024)')
    g.add_argument('--first-month', metavar='YYYY-MM',
                   help='first month of the period (with --report: of the window)')
    g.add_argument('--last-month', metavar='YYYY-MM',
                   help='last month of the period (with --report: of the window)')
    g.add_argument('--quiet', action='store_true', help='no progress lines on stderr')
    r = ap.add_argument_group('checking')
    r.add_argument('--report', metavar='DIR',
                   help='compute the headline indicators from the CSV files in DIR and print them')
    r.add_argument('--unit', default='TH', help='unit code for --report (default TH)')
    r.add_argument('--threshold', default='0.85', help='attendance threshold for --report (default 0.85)')
    r.add_argument('--traps', action='store_true',
                   help='with --report: also print what common misreadings of the rules would give')
    r.add_argument('--expect-published', action='store_true',
                   help='with --report: exit 1 unless the published Tây Hồ figures come out')
    r.add_argument('--self-test', nargs='?', const='', metavar='DIR',
                   help='check every contract rule over the files in DIR (or, without DIR, '
                        'over --out after generating); exit 1 on any violation')
    args = ap.parse_args(argv)
    if args.report:
        return report(args)
    if args.self_test:
        return self_test(args.self_test)
    if not args.out:
        ap.error('--out DIR is required to generate (or use --report DIR / --self-test DIR)')
    generate(args)
    if args.self_test is not None:
        return self_test(args.out)
    return 0


if __name__ == '__main__':
    sys.exit(main())
