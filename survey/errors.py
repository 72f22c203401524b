"""Friendly error pages in the citizen's language; never a traceback, never a bare 500."""

from __future__ import annotations

import logging
import math
import time
from contextlib import suppress

from flask import Flask, current_app, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, DBAPIError, OperationalError
from werkzeug.exceptions import BadRequest, HTTPException
from werkzeug.wrappers import Response

from survey.extensions import db, limiter

log = logging.getLogger(__name__)


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

    The limiter's own headers are off: they cost a second round trip to the counters on every
    request, and only a refused request needs to know when its window ends.
    """
    body, status = _http_error(error)
    response = current_app.make_response((body, status))
    wait = error.limit.limit.get_expiry()  # the whole window, at worst
    refusing = limiter.current_limit
    if refusing is not None:
        with suppress(Exception):  # counters out of reach: the window's length will do
            wait = max(1, math.ceil(refusing.window.reset_time - time.time()))
    response.headers["Retry-After"] = str(wait)
    return response


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
