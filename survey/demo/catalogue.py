"""The demo's administrative map of the merged Cần Thơ city (fictional desks, real place names)."""

from __future__ import annotations

from datetime import date

MERGER = date(2025, 7, 1)
BEFORE = date(2025, 6, 30)
LONG_AGO = date(2008, 1, 1)

# code, name, jurisdiction, valid_to, successor
PROVINCES = [
    ("CT", "Thành phố Cần Thơ", "can_tho", None, None),
    ("HG", "Tỉnh Hậu Giang (trước 01/7/2025)", "hau_giang", BEFORE, "CT"),
    ("ST", "Tỉnh Sóc Trăng (trước 01/7/2025)", "soc_trang", BEFORE, "CT"),
]

# code, name, base satisfaction rate (the truth the demo simulates), size weight
DEPARTMENTS = [
    ("CT-SNV", "Sở Nội vụ", 0.95, 0.6),
    ("CT-STP", "Sở Tư pháp", 0.93, 1.4),
    ("CT-SXD", "Sở Xây dựng", 0.84, 1.0),
    ("CT-SNNMT", "Sở Nông nghiệp và Môi trường", 0.86, 1.6),
    ("CT-STC", "Sở Tài chính", 0.91, 0.9),
    ("CT-SCT", "Sở Công Thương", 0.92, 0.5),
    ("CT-SYT", "Sở Y tế", 0.88, 1.4),
    ("CT-SGDDT", "Sở Giáo dục và Đào tạo", 0.90, 1.0),
    ("CT-SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch", 0.96, 0.08),
    ("CT-SKHCN", "Sở Khoa học và Công nghệ", 0.97, 0.05),
]

# code, name, base rate, size weight, predecessor district (code, name, province) or None
COMMUNES = [
    ("CT-P-NINHKIEU", "Phường Ninh Kiều", 0.94, 2.0, ("CT-Q-NINHKIEU", "Quận Ninh Kiều", "CT")),
    ("CT-P-CAIKHE", "Phường Cái Khế", 0.92, 1.2, None),
    ("CT-P-TANAN", "Phường Tân An", 0.90, 1.2, None),
    ("CT-P-BINHTHUY", "Phường Bình Thủy", 0.89, 1.3, ("CT-Q-BINHTHUY", "Quận Bình Thủy", "CT")),
    ("CT-P-CAIRANG", "Phường Cái Răng", 0.87, 1.0, None),
    ("CT-P-VITHANH", "Phường Vị Thanh", 0.88, 1.2, ("HG-TP-VITHANH", "Thành phố Vị Thanh", "HG")),
    ("CT-P-NGABAY", "Phường Ngã Bảy", 0.83, 0.9, ("HG-TP-NGABAY", "Thành phố Ngã Bảy", "HG")),
    ("CT-P-SOCTRANG", "Phường Sóc Trăng", 0.86, 1.5, ("ST-TP-SOCTRANG", "Thành phố Sóc Trăng", "ST")),
    ("CT-P-VINHCHAU", "Phường Vĩnh Châu", 0.80, 0.7, None),
    ("CT-X-PHONGDIEN", "Xã Phong Điền", 0.93, 0.6, None),
    ("CT-X-KESACH", "Xã Kế Sách", 0.91, 0.12, None),
    ("CT-X-CULAODUNG", "Xã Cù Lao Dung", 0.95, 0.06, None),
]

# code, Vietnamese name, rate shift on the logit scale
SECTORS = [
    ("land", "Đất đai", -0.6),
    ("construction", "Xây dựng", -0.4),
    ("investment", "Đầu tư", -0.2),
    ("justice", "Tư pháp", 0.2),
    ("civil_status", "Hộ tịch", 0.4),
    ("health", "Y tế", -0.1),
    ("education", "Giáo dục", 0.1),
    ("business_registration", "Đăng ký doanh nghiệp", 0.3),
    ("labour", "Lao động", 0.0),
    ("environment", "Môi trường", -0.2),
]

SECTOR_GROUPS = [
    ("land+construction+investment", "Đất đai, xây dựng, đầu tư",
     ["land", "construction", "investment"]),
    ("land+investment+construction+justice", "Đất đai, đầu tư, xây dựng, tư pháp",
     ["land", "investment", "construction", "justice"]),
    ("health", "Y tế", ["health"]),
    ("education", "Giáo dục", ["education"]),
]

# The sector departments' places across the city (code, name, kind, unit, share of the unit's
# answers given there, rate shift on the logit scale): commune health stations and schools run by
# the wards, and the city's hospitals and high schools run by Sở Y tế and Sở GD&ĐT.
SECTOR_POINTS = [
    ("BV-DKTP", "Bệnh viện Đa khoa thành phố Cần Thơ", "hospital", "CT-SYT", 0.3, 0.0),
    ("BV-NHI", "Bệnh viện Nhi đồng thành phố Cần Thơ", "hospital", "CT-SYT", 0.2, 0.3),
    ("TYT-NINHKIEU", "Trạm Y tế phường Ninh Kiều", "hospital", "CT-P-NINHKIEU", 0.08, 0.2),
    ("TYT-VITHANH", "Trạm Y tế phường Vị Thanh", "hospital", "CT-P-VITHANH", 0.1, -0.3),
    ("TYT-SOCTRANG", "Trạm Y tế phường Sóc Trăng", "hospital", "CT-P-SOCTRANG", 0.1, -0.5),
    ("TH-CVL", "Trường THPT Châu Văn Liêm", "school", "CT-SGDDT", 0.5, 0.0),
    ("TH-CAIKHE", "Trường Tiểu học Cái Khế", "school", "CT-P-CAIKHE", 0.1, 0.4),
    ("THCS-BINHTHUY", "Trường THCS Bình Thủy", "school", "CT-P-BINHTHUY", 0.1, -0.2),
    ("TH-NGABAY", "Trường Tiểu học Ngã Bảy", "school", "CT-P-NGABAY", 0.1, 0.1),
]

# TTHC code, name, sector, level ("commune" procedures are handled by every commune desk;
# "department" ones by the department named).
PROCEDURES = [
    ("1.001193", "Đăng ký khai sinh", "civil_status", "commune", None),
    ("1.000894", "Đăng ký kết hôn", "civil_status", "commune", None),
    ("1.000656", "Đăng ký khai tử", "civil_status", "commune", None),
    ("2.000635", "Cấp bản sao trích lục hộ tịch", "civil_status", "commune", None),
    ("1.004227", "Đăng ký lại khai sinh", "civil_status", "commune", None),
    ("2.000815", "Chứng thực bản sao từ bản chính", "justice", "commune", None),
    ("2.000884", "Chứng thực chữ ký trong giấy tờ", "justice", "commune", None),
    ("1.003005", "Đăng ký biến động quyền sử dụng đất", "land", "commune", None),
    ("1.004203", "Cấp Giấy chứng nhận quyền sử dụng đất lần đầu", "land", "commune", None),
    ("1.003010", "Tách thửa hoặc hợp thửa đất", "land", "commune", None),
    ("1.011612", "Cấp giấy phép xây dựng nhà ở riêng lẻ", "construction", "commune", None),
    ("2.000720", "Đăng ký hộ kinh doanh", "business_registration", "commune", None),
    ("1.001776", "Trợ cấp xã hội hằng tháng", "labour", "commune", None),
    ("1.008004", "Xác nhận kế hoạch bảo vệ môi trường", "environment", "commune", None),
    ("2.000488", "Cấp Phiếu lý lịch tư pháp", "justice", "department", "CT-STP"),
    ("1.001233", "Đăng ký giao dịch bảo đảm", "justice", "department", "CT-STP"),
    ("2.001006", "Cấp chứng chỉ hành nghề luật sư", "justice", "department", "CT-STP"),
    ("1.009972", "Cấp giấy phép xây dựng công trình", "construction", "department", "CT-SXD"),
    ("1.009974", "Thẩm định báo cáo nghiên cứu khả thi", "construction", "department", "CT-SXD"),
    ("1.009987", "Cấp chứng chỉ hành nghề hoạt động xây dựng", "construction", "department",
     "CT-SXD"),
    ("1.004221", "Chuyển mục đích sử dụng đất", "land", "department", "CT-SNNMT"),
    ("1.004269", "Giao đất, cho thuê đất", "land", "department", "CT-SNNMT"),
    ("1.010733", "Cấp giấy phép môi trường", "environment", "department", "CT-SNNMT"),
    ("1.009645", "Chấp thuận chủ trương đầu tư", "investment", "department", "CT-STC"),
    ("1.009648", "Cấp Giấy chứng nhận đăng ký đầu tư", "investment", "department", "CT-STC"),
    ("1.009650", "Điều chỉnh dự án đầu tư", "investment", "department", "CT-STC"),
    ("1.001612", "Đăng ký thành lập doanh nghiệp", "business_registration", "department",
     "CT-STC"),
    ("2.001610", "Đăng ký thay đổi nội dung đăng ký doanh nghiệp", "business_registration",
     "department", "CT-STC"),
    ("2.000162", "Cấp giấy phép kinh doanh bán lẻ rượu", "business_registration",
     "department", "CT-SCT"),
    ("1.003348", "Cấp chứng chỉ hành nghề khám bệnh, chữa bệnh", "health", "department",
     "CT-SYT"),
    ("1.002201", "Cấp giấy phép hoạt động phòng khám", "health", "department", "CT-SYT"),
    ("1.004889", "Khám bệnh, chữa bệnh bảo hiểm y tế", "health", "department", "CT-SYT"),
    ("1.005092", "Chuyển trường đối với học sinh trung học", "education", "department",
     "CT-SGDDT"),
    ("1.005095", "Cấp bản sao văn bằng, chứng chỉ", "education", "department", "CT-SGDDT"),
    ("1.004831", "Tuyển sinh trung học phổ thông", "education", "department", "CT-SGDDT"),
    ("1.000105", "Giải quyết trợ cấp thất nghiệp", "labour", "department", "CT-SNV"),
    ("1.000459", "Cấp giấy phép lao động cho người nước ngoài", "labour", "department", "CT-SNV"),
    ("1.001843", "Công nhận tổ chức tôn giáo cơ sở", "justice", "department", "CT-SNV"),
    ("1.003622", "Cấp phép tổ chức biểu diễn nghệ thuật", "labour", "department",
     "CT-SVHTTDL"),
    ("1.010941", "Cấp giấy chứng nhận doanh nghiệp khoa học công nghệ", "investment",
     "department", "CT-SKHCN"),
]

COMMENTS_GOOD = [
    "Cán bộ hướng dẫn tận tình, cảm ơn.",
    "Làm nhanh, không phải chờ lâu.",
    "Chỗ ngồi chờ sạch sẽ, mát mẻ.",
    "Hồ sơ trả đúng hẹn.",
]
COMMENTS_BAD = [
    "Phải đi lại ba lần mới xong hồ sơ.",
    "Chờ hơn một tiếng đồng hồ.",
    "Cán bộ nói khó hiểu, không hướng dẫn rõ.",
    "Bị yêu cầu bổ sung giấy tờ không có trong niêm yết.",
    "Trả kết quả trễ hẹn mà không báo trước.",
]
