"""Demo phản ánh, kiến nghị: over the last four months, some answered on time, some late, some
still open (one of them overdue), one handed back for routing; a few replies published."""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from survey.casework import cases
from survey.casework.contacts import Contact
from survey.casework.deadlines import Calendar
from survey.extensions import AnySession
from survey.models import Complaint, Procedure, ServicePoint, Unit, User
from survey.periods import LOCAL

TEXTS = [
    ("phan_anh", "Tôi nộp hồ sơ đăng ký khai sinh cho con từ tuần trước, đến hẹn vẫn chưa có kết quả, "
                 "cán bộ không báo trước."),
    ("phan_anh", "Tại bộ phận một cửa phải chờ hơn một tiếng, chỉ có một quầy làm việc."),
    ("phan_anh", "Cán bộ yêu cầu nộp thêm bản sao sổ hộ khẩu, trong khi niêm yết không ghi giấy tờ này."),
    ("kien_nghi", "Đề nghị cho nộp hồ sơ chứng thực qua mạng để người dân đỡ phải đi lại."),
    ("kien_nghi", "Đề nghị niêm yết rõ lệ phí cấp giấy phép xây dựng ngay tại quầy."),
    ("phan_anh", "Đường dây nóng của phường gọi nhiều lần không ai nghe máy. Số của tôi là 0912 345 678."),
    ("kien_nghi", "Đề nghị mở thêm giờ làm việc sáng thứ Bảy cho người đi làm."),
    ("phan_anh", "Hồ sơ tách thửa bị trả lại ba lần, mỗi lần yêu cầu một giấy tờ khác."),
]
REPLIES = [
    "Cảm ơn Ông/Bà. Đơn vị đã kiểm tra, hồ sơ bị chậm do chờ xác minh; kết quả đã có, mời Ông/Bà đến nhận.",
    "Đơn vị đã bố trí thêm một quầy tiếp nhận vào giờ cao điểm từ tuần này.",
    "Giấy tờ này không thuộc thành phần hồ sơ. Đơn vị đã nhắc nhở cán bộ và xin lỗi Ông/Bà.",
    "Đơn vị ghi nhận kiến nghị và đã báo cáo Sở để xem xét trong kế hoạch cải cách thủ tục năm tới.",
]
UNITS = ("CT-P-NINHKIEU", "CT-P-NINHKIEU", "CT-P-CAIKHE", "CT-STP", "CT-SXD", "CT-P-NGABAY")


def _moment(day: datetime, rng: random.Random) -> datetime:
    return datetime.combine(day.date(), time(8), LOCAL) + timedelta(minutes=rng.randrange(480))


def _handler(session: AnySession, unit: Unit) -> User:
    """A handler of ``unit`` (the demo's own, or one made for the demo)."""
    found = session.scalar(select(User).where(User.unit_id == unit.id, User.handles_complaints.is_(True)))
    if found is not None:
        return found
    user = User(email=f"xuly.{unit.code.lower()}@demo.cantho.gov.vn", name=f"Cán bộ xử lý ({unit.name})",
                role="unit_manager", unit=unit, handles_complaints=True,
                password_hash="!")  # noqa: S106 - no password: this account cannot log in
    session.add(user)
    session.flush()
    return user


def generate_complaints(session: AnySession, *, seed: int, count: int = 48) -> int:
    rng = random.Random(seed + 7)
    units = {u.code: u for u in session.scalars(select(Unit).where(Unit.code.in_(UNITS)))}
    points = {p.unit_id: p for p in session.scalars(select(ServicePoint))}
    procedures = list(session.scalars(select(Procedure).where(Procedure.level == "commune")))
    calendar, now = Calendar(), datetime.now(LOCAL)
    made = 0
    for index in range(count):
        unit = units[UNITS[index % len(UNITS)]]
        kind, text = TEXTS[rng.randrange(len(TEXTS))]
        procedure = rng.choice(procedures) if unit.level == "commune" else None
        received = _moment(now - timedelta(days=rng.randrange(2, 120)), rng)
        contact = Contact(phone=f"09{rng.randrange(10**8):08d}") if rng.random() < 0.5 else Contact()
        case, _new = cases.receive(session, None, cases.Intake(
            unit_id=unit.id, kind=kind, channel=rng.choice(("phone", "phone", "desk", "hotline", "kiosk")),
            text=text, service_point_id=points[unit.id].id if unit.id in points else None,
            procedure_id=procedure.id if procedure else None,
            sector_id=procedure.sector_id if procedure else None, contact=contact,
            publish_consent=rng.random() < 0.6, received_at=received.astimezone(UTC),
            source="1022" if index % 9 == 0 else None,
            external_id=f"1022-DEMO-{index:04d}" if index % 9 == 0 else None,
            idempotency_key=f"demo-complaint-{seed}-{index:04d}" if index % 9 else None))
        made += 1
        _progress(session, case, rng, calendar, now, index)
    return made


def _progress(session: AnySession, case: Complaint, rng: random.Random, calendar: Calendar,
              now: datetime, index: int) -> None:
    age = (now.date() - case.received_at.astimezone(LOCAL).date()).days
    fate = rng.random()
    if age < 5 or fate < 0.12:
        return  # still open (old ones are overdue)
    handler = _handler(session, case.unit)
    if fate < 0.17:
        cases.transfer(session, handler, case, "Việc này thuộc thẩm quyền của Sở Xây dựng.")
        return
    cases.start(session, handler, case)
    cases.reply(session, handler, case, REPLIES[index % len(REPLIES)])
    late = fate > 0.8
    last = case.due_on + timedelta(days=rng.randrange(1, 6)) if late else \
        calendar.add_working_days(case.received_at.astimezone(LOCAL).date(), rng.randrange(1, 9))
    case.answered_at = min(datetime.combine(last, time(15), LOCAL), now).astimezone(UTC)
    if case.publish_consent:
        cases.publish(session, handler, case, public_text=case.public_text or case.text,
                      public_reply=case.public_reply or case.reply or "", published=True)
    if age > 40:
        case.status, case.closed_at = "closed", case.answered_at + timedelta(days=15)
    session.flush()


