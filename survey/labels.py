"""Vietnamese words for the codes the database keeps: no internal code reaches a page.

Codes (``agency_service``, ``department``, ``complaint.reply``, ``due_on`` …) are the contract
with other programs (SPEC §3, the targets file, the audit chain) and stay as they are in the data
and in exports. Every page that shows one goes through :func:`label`, which knows each vocabulary
here, once. A code with no word shows as a neutral word ("khác"), never as itself.

Registered as the Jinja filter ``label``: ``{{ target.object|label("target_object") }}``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from flask import Flask, g
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from survey.extensions import db
from survey.models import Sector, SectorGroup, Unit

LazyText = Any

VOCABULARIES: dict[str, Mapping[str, LazyText]] = {
    "target_object": {
        "agency_service": _l("Hài lòng với sự phục vụ của cơ quan"),
        "procedures": _l("Hài lòng khi giải quyết thủ tục hành chính"),
        "procedure_results": _l("Hài lòng với kết quả giải quyết thủ tục"),
        "public_health_education": _l("Hài lòng với dịch vụ y tế, giáo dục công"),
    },
    "sector_scope": {"health": _l("y tế"), "education": _l("giáo dục")},
    "level": {
        "central": _l("Trung ương"),
        "city": _l("Tỉnh, thành phố"),
        "department": _l("Sở, ban, ngành"),
        "commune": _l("Xã, phường"),
    },
    "jurisdiction": {
        "can_tho": _l("Cần Thơ"),
        "hau_giang": _l("Hậu Giang"),
        "soc_trang": _l("Sóc Trăng"),
    },
    "channel": {
        "kiosk": _l("Máy đánh giá tại quầy"), "qr": _l("Mã QR trên điện thoại"), "link": _l("Đường liên kết"),
        "paper": _l("Phiếu giấy"), "api": _l("Phần mềm một cửa"),
    },
    "complaint_channel": {
        "phone": _l("Điện thoại (sau khảo sát)"), "desk": _l("Tại bộ phận một cửa"),
        "letter": _l("Thư, văn bản"), "hotline": _l("Đường dây 1022"),
    },
    "event": {
        "complaint.created": _l("Có phản ánh, kiến nghị mới"),
        "complaint.status_changed": _l("Phản ánh đổi trạng thái"),
        "complaint.escalated": _l("Phản ánh quá hạn, báo lên cấp trên"),
        "alert.raised": _l("Cảnh báo mức hài lòng giảm"),
    },
    "object_type": {
        "api_token": _l("Khóa kết nối phần mềm"), "complaint": _l("Phản ánh, kiến nghị"),
        "dossier_volume": _l("Số hồ sơ"), "instrument": _l("Bộ câu hỏi"), "keys": _l("Khóa bảo mật"),
        "kiosk": _l("Máy đánh giá"), "procedure": _l("Thủ tục"), "qr_code": _l("Mã QR"),
        "response": _l("Phiếu trả lời"), "sector_group": _l("Nhóm lĩnh vực"), "target": _l("Chỉ tiêu"),
        "unit": _l("Đơn vị"), "service_point": _l("Điểm phục vụ"), "user": _l("Tài khoản"),
        "webhook_endpoint": _l("Địa chỉ nhận tin tự động"),
        "outside_index": _l("Chỉ số bên ngoài"),
    },
    "action": {
        "api_token.create": _l("Cấp khóa kết nối phần mềm"),
        "api_token.revoke": _l("Thu hồi khóa kết nối phần mềm"),
        "complaint.receive": _l("Tiếp nhận phản ánh"),
        "complaint.start": _l("Bắt đầu xử lý phản ánh"),
        "complaint.reply": _l("Trả lời phản ánh"),
        "complaint.transfer": _l("Chuyển phản ánh sang đơn vị khác"),
        "complaint.route": _l("Giao phản ánh cho đơn vị"),
        "complaint.close": _l("Đóng phản ánh"),
        "complaint.publish": _l("Công khai kết quả xử lý"),
        "complaint.import": _l("Nhập phản ánh từ tệp"),
        "complaint.escalate": _l("Báo phản ánh quá hạn lên cấp trên"),
        "complaint.contact_deleted": _l("Xóa thông tin liên hệ của người gửi"),
        "instrument.draft": _l("Tạo bản nháp bộ câu hỏi"),
        "instrument.edit": _l("Sửa bản nháp bộ câu hỏi"),
        "instrument.publish": _l("Ban hành bộ câu hỏi"),
        "integrity.scan": _l("Rà soát phiếu bất thường"),
        "integrity.exclude": _l("Loại phiếu khỏi kết quả"),
        "integrity.include": _l("Đưa phiếu trở lại kết quả"),
        "keys.rotate": _l("Đổi khóa bảo mật"),
        "kiosk.create": _l("Thêm máy đánh giá"),
        "kiosk.code": _l("Tạo mã kích hoạt máy đánh giá"),
        "kiosk.revoke": _l("Thu hồi máy đánh giá"),
        "kiosk.discard_refused": _l("Bỏ các câu trả lời bị từ chối của máy"),
        "procedure.import": _l("Nhập danh mục thủ tục"),
        "qr_code.create": _l("Tạo mã QR"),
        "qr_code.revoke": _l("Thu hồi mã QR"),
        "response.paper": _l("Nhập một phiếu giấy"),
        "responses.import": _l("Nhập phiếu giấy từ tệp"),
        "responses.purge": _l("Xóa phiếu trả lời hết thời hạn lưu"),
        "sector_group.save": _l("Lưu nhóm lĩnh vực"),
        "target.save": _l("Lưu chỉ tiêu"),
        "target.seed": _l("Nạp chỉ tiêu theo văn bản"),
        "target.confirm": _l("Xác nhận phép so sánh của chỉ tiêu"),
        "unit.create": _l("Thêm đơn vị"),
        "unit.update": _l("Sửa đơn vị"),
        "unit.import": _l("Nhập danh sách đơn vị"),
        "service_point.create": _l("Thêm điểm phục vụ"),
        "service_point.update": _l("Sửa điểm phục vụ"),
        "user.create": _l("Tạo tài khoản"),
        "user.update": _l("Sửa tài khoản"),
        "volumes.import": _l("Nhập số hồ sơ"),
        "volumes.put": _l("Nhận số hồ sơ từ phần mềm một cửa"),
        "webhook.create": _l("Thêm địa chỉ nhận tin tự động"),
        "webhook.update": _l("Sửa địa chỉ nhận tin tự động"),
        "outside_index.save": _l("Lưu chỉ số bên ngoài"),
        "alert.raised": _l("Cảnh báo mức hài lòng giảm"),
    },
    "field": {
        "code": _l("Mã"), "name": _l("Tên"), "level": _l("Cấp"), "jurisdiction": _l("Địa bàn"),
        "parent_id": _l("Đơn vị cấp trên"), "successor_id": _l("Đơn vị kế thừa"), "unit_id": _l("Đơn vị"),
        "valid_from": _l("Hiệu lực từ"), "valid_to": _l("Hiệu lực đến"), "kind": _l("Loại"),
        "status": _l("Trạng thái"), "due_on": _l("Hạn trả lời"), "ref": _l("Mã tra cứu"),
        "channel": _l("Kênh"), "source": _l("Nguồn"), "external_id": _l("Mã ở hệ thống gửi"),
        "escalated_at": _l("Báo lên cấp trên lúc"), "published": _l("Công khai"), "email": _l("Thư điện tử"),
        "role": _l("Vai trò"), "active": _l("Đang dùng"), "excluded": _l("Bị loại"), "reason": _l("Lý do"),
        "threshold": _l("Ngưỡng"), "operator": _l("Phép so sánh"), "object": _l("Đối tượng"),
        "rows": _l("Số dòng"), "added": _l("Số mục thêm mới"), "present": _l("Số mục đã có"),
        "version": _l("Phiên bản"), "revoked_at": _l("Thu hồi lúc"),
        "contact_left": _l("Có để lại liên hệ"), "count": _l("Số lượng"), "period": _l("Kỳ"),
        "submitted_at": _l("Thời điểm trả lời"), "instrument": _l("Bộ câu hỏi"), "url": _l("Địa chỉ"),
        "needs_confirmation": _l("Cần xác nhận"), "sector_group": _l("Nhóm lĩnh vực"),
        "levels": _l("Áp dụng cho cấp"),
        "period_start": _l("Từ ngày"), "period_end": _l("Đến ngày"), "discarded": _l("Số câu trả lời đã bỏ"),
        "index_code": _l("Chỉ số"), "year": _l("Năm"), "score": _l("Điểm"), "rank": _l("Thứ hạng"),
        "goal_rank": _l("Mục tiêu: trong nhóm dẫn đầu"), "note": _l("Ghi chú"),
        "rate_before": _l("Tỷ lệ hài lòng trước"), "rate_after": _l("Tỷ lệ hài lòng từ kỳ giảm"),
        "dossiers": _l("Số hồ sơ"), "dossiers_unsatisfied": _l("Số hồ sơ không hài lòng"),
        "api_token": _l("Khóa API"), "sector": _l("Ngành"),
    },
    "component": {
        "overall": _l("Hài lòng chung"), "access": _l("Tiếp cận dịch vụ"),
        "procedure": _l("Thủ tục hành chính"), "staff": _l("Công chức phục vụ"),
        "result": _l("Kết quả giải quyết"), "feedback": _l("Tiếp nhận, xử lý góp ý"),
    },
    "outside_index": {
        "SIPAS": _l("SIPAS: Chỉ số hài lòng về sự phục vụ hành chính"),
        "PAR_INDEX": _l("PAR INDEX: Chỉ số cải cách hành chính"),
        "PAPI": _l("PAPI: Chỉ số hiệu quả quản trị và hành chính công cấp tỉnh"),
        "PCI": _l("PCI: Chỉ số năng lực cạnh tranh cấp tỉnh"),
    },
    "role": {
        "admin": _l("Quản trị (Sở Nội vụ)"), "unit_manager": _l("Quản lý đơn vị"),
        "unit_viewer": _l("Xem kết quả đơn vị"),
        "sector_viewer": _l("Sở chuyên ngành (xem một ngành ở mọi đơn vị)"),
    },
    "status": {
        "received": _l("Đã tiếp nhận"), "in_progress": _l("Đang xử lý"),
        "transferred": _l("Đang chuyển đơn vị khác"), "answered": _l("Đã trả lời"), "closed": _l("Đã đóng"),
        "phan_anh": _l("Phản ánh"), "kien_nghi": _l("Kiến nghị"),
    },
}
OTHER = _l("khác")
UNIT_FIELDS = ("unit_id", "parent_id", "successor_id")
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def label(code: object, vocabulary: str, unknown: str | None = None) -> LazyText:
    """The Vietnamese word for ``code`` in ``vocabulary``; for a code it does not know, ``unknown``
    (a row's own words, such as a folded row's) or else "khác"."""
    if code is None or code == "":
        return "—"
    return VOCABULARIES[vocabulary].get(str(code), OTHER if unknown is None else unknown)


def value_text(value: object, name: str = "") -> str:
    """A value from an audit snapshot, as a civil servant reads it: words, names, dd/mm/yyyy."""
    if value is None or value == "":
        return "—"
    if value is True:
        return str(_l("có"))
    if value is False:
        return str(_l("không"))
    if name in UNIT_FIELDS and isinstance(value, int):
        return _unit_names().get(value, str(value))
    text = str(value)
    if ISO_DAY.fullmatch(text):
        return f"{text[8:10]}/{text[5:7]}/{text[:4]}"
    for vocabulary in ("status", "level", "role", "channel", "complaint_channel", "outside_index",
                       "sector_scope"):
        if text in VOCABULARIES[vocabulary]:
            return str(VOCABULARIES[vocabulary][text])
    if name == "levels":  # "department+commune"
        return ", ".join(str(label(part, "level")) for part in text.split("+"))
    return text


def changes(before: Mapping[str, object] | None,
            after: Mapping[str, object] | None) -> list[tuple[LazyText, str, str]]:
    """(field's word, old value, new value) for each field that changed, in the snapshot's order."""
    before, after = before or {}, after or {}
    names = list(dict.fromkeys([*before, *after]))
    words = VOCABULARIES["field"]
    return [(words.get(name, OTHER), value_text(before.get(name), name), value_text(after.get(name), name))
            for name in names if before.get(name) != after.get(name)]


def _unit_names() -> dict[int, str]:
    names = g.get("unit_names")
    if names is None:
        names = g.unit_names = {row.id: row.name for row in db.session.execute(select(Unit.id, Unit.name))}
    return names


def sector_group_names(session: Any, codes: Iterable[str]) -> dict[str, str]:
    """A target's sector group in words: the group's own name, or its sectors' names joined."""
    codes = {code for code in codes if code}
    names = {g.code: g.name for g in session.scalars(select(SectorGroup).where(SectorGroup.code.in_(codes)))}
    sectors = {s.code: s.name for s in session.scalars(select(Sector))}
    return {code: names.get(code) or ", ".join(sectors.get(part, part) for part in code.split("+"))
            for code in codes}


def sector_group_name(code: str) -> str:
    """A target's sector group in words (its name, or its sectors' names), looked up once a request."""
    names = g.get("sector_group_names")
    if names is None or code not in names:
        names = {**(names or {}), **sector_group_names(db.session, [code])}
        g.sector_group_names = names
    return names[code]


def init_app(app: Flask) -> None:
    app.add_template_filter(label, "label")
    app.add_template_global(sector_group_name, "sector_group_name")
    app.add_template_global(changes, "audit_changes")
