"""Friendly error pages in the citizen's language; never a traceback, never a bare 500."""

from __future__ import annotations

import logging
import math
import time
from contextlib import suppress
from typing import NoReturn

from flask import Flask, current_app, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, DBAPIError, OperationalError
from werkzeug.exceptions import BadRequest, HTTPException
from werkzeug.wrappers import Response

from survey.extensions import db, limiter

log = logging.getLogger(__name__)


def bad_period(label: str, *, months_and_quarters: bool = False) -> NoReturn:
    """A 400 whose page says what a period looks like, for a mistyped ``?period=`` (not a 404)."""
    error = BadRequest()
    error.survey_message = (  # type: ignore[attr-defined]
        _("Kỳ “%(label)s” không đúng. Trang này xem theo quý hoặc theo tháng, ví dụ 2026-Q3 "
          "(quý III năm 2026) hoặc 2026-07 (tháng 7 năm 2026).", label=label[:20])
        if months_and_quarters else
        _("Kỳ “%(label)s” không đúng. Kỳ được viết như 2026 (cả năm), 2026-H1 (6 tháng đầu năm), "
          "2026-Q3 (quý III) hoặc 2026-07 (tháng 7).", label=label[:20]))
    raise error


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def _render(status: int, title: str, message: str) -> tuple[Response | str, int]:
    if _wants_json():
        return jsonify(error=title, message=message, status=status), status
    return render_template("errors.html", status=status, title=title, message=message), status


def _http_error(error: HTTPException) -> tuple[Response | str, int]:
    status = error.code or 500
    titles = {
        400: _("Yêu cầu không hợp lệ"),
        403: _("Không có quyền truy cập"),
        404: _("Không tìm thấy trang"),
        405: _("Thao tác không được phép"),
        410: _("Mã khảo sát đã hết hiệu lực"),
        413: _("Dữ liệu gửi lên quá lớn"),
        429: _("Quá nhiều yêu cầu"),
    }
    messages = {
        400: _("Thông tin gửi lên không đúng. Vui lòng thử lại."),
        403: _("Tài khoản của bạn không được xem hoặc thay đổi nội dung này."),
        404: _("Địa chỉ này không có trên hệ thống."),
        410: _("Mã này đã bị thu hồi. Vui lòng dùng mã mới tại nơi làm thủ tục."),
        429: _("Bạn gửi quá nhanh. Vui lòng chờ một chút rồi thử lại."),
    }
    title = titles.get(status, _("Đã có lỗi"))
    message = getattr(error, "survey_message", None) or messages.get(status, title)
    return _render(status, title, message)


def _too_many(error: RateLimitExceeded) -> Response:
    """429, saying when to try again (Retry-After) from the refusing window's counters.

    A kiosk (or any JSON caller) gets ``{"status": 429, "retry_after": seconds}``: its outbox keeps
    the answer and sends it again later. A citizen gets a page in plain words; on the phone survey
    it carries the answers just sent, with their idempotency key, behind a "Gửi lại" button, so
    nothing typed is lost and a second press cannot count twice.

    The limiter's own headers are off: they cost a second round trip to the counters on every
    request, and only a refused request needs to know when its window ends.
    """
    wait = error.limit.limit.get_expiry()  # the whole window, at worst
    refusing = limiter.current_limit
    if refusing is not None:
        with suppress(Exception):  # counters out of reach: the window's length will do
            wait = max(1, math.ceil(refusing.window.reset_time - time.time()))
    title = _("Xin chờ một chút")
    if _wants_json():
        if request.path.startswith("/kiosk"):
            message = _("Gửi quá nhanh. Câu trả lời được giữ lại và sẽ tự gửi lại sau %(seconds)s giây.",
                        seconds=wait)
        else:
            message = _("Gửi quá nhanh. Vui lòng thử lại sau %(seconds)s giây.", seconds=wait)
        response = jsonify(error=title, message=message, status=429, retry_after=wait)
        response.status_code = 429
    else:
        resend = None
        if request.method == "POST" and request.endpoint == "public.phone":
            resend = list(request.form.items(multi=True))
        page = render_template("too_many.html", title=title, wait=_wait_in_words(wait), resend=resend)
        response = current_app.make_response((page, 429))
    response.headers["Retry-After"] = str(wait)
    return response


def _wait_in_words(seconds: int) -> str:
    if seconds < 90:
        return _("%(n)s giây", n=seconds)
    return _("%(n)s phút", n=math.ceil(seconds / 60))


def _csrf_error(error: CSRFError) -> Response | tuple[Response | str, int]:
    """An expired form on the kiosk goes back to the start screen, kindly, not to a 400."""
    if request.path.startswith("/kiosk") and not _wants_json():
        return redirect(url_for("public.kiosk", expired=1))
    return _render(
        400,
        _("Phiên làm việc đã hết hạn"),
        _("Trang đã mở quá lâu. Vui lòng tải lại trang và gửi lại."),
    )


def _database_unavailable(error: DBAPIError) -> tuple[Response | str, int]:
    log.warning("database unavailable: %s", error.__class__.__name__)
    db.session.rollback()
    return _render(
        503,
        _("Hệ thống đang bận"),
        _("Máy chủ tạm thời không kết nối được cơ sở dữ liệu. Vui lòng thử lại sau ít phút."),
    )


def _bad_value(error: DataError) -> tuple[Response | str, int]:
    """A value the database cannot hold (a NUL byte, a number out of range) is the client's error."""
    db.session.rollback()
    return _http_error(BadRequest())


def _unexpected(error: Exception) -> tuple[Response | str, int]:
    if current_app.testing:
        raise error  # a test must see the bug, not a polite page
    log.exception("unexpected error")
    db.session.rollback()
    return _render(500, _("Đã có lỗi"), _("Hệ thống gặp sự cố. Vui lòng thử lại sau."))


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(RateLimitExceeded, _too_many)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(OperationalError, _database_unavailable)
    app.register_error_handler(DataError, _bad_value)
    app.register_error_handler(Exception, _unexpected)
