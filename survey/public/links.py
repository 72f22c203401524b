"""Short links printed under a poster's QR code: ``/q/<code>`` leads to the poster's survey.

A person can type the link, or an officer send it by Zalo or SMS; it redirects (302, never
cached) to the signed survey URL of the same QR code, so revoking the code retires the link too.
"""

from __future__ import annotations

from flask import current_app, redirect, request, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import Gone, NotFound
from werkzeug.wrappers import Response

from survey.collection import qrcodes
from survey.collection.signing import sign_payload
from survey.extensions import db
from survey.public import bp


@bp.get("/q/<code>")
def short_link(code: str) -> Response:
    qr = qrcodes.by_short_code(db.session, code)
    if qr is None:
        error = NotFound()
        error.survey_message = _(  # type: ignore[attr-defined]
            "Không có mã khảo sát %(code)s. Vui lòng xem lại đường dẫn in dưới mã QR, hoặc hỏi cán bộ "
            "một cửa.", code=code[:20])
        raise error
    if qr.revoked_at is not None:
        raise Gone()
    # A link sent in a language (``/q/ABC?lang=km``) opens the survey in it.
    lang = request.args.get("lang")
    token = sign_payload(qrcodes.payload_for(qr))
    target = (url_for("public.phone", token=token, lang=lang) if lang in current_app.config["LANGUAGES"]
              else url_for("public.phone", token=token))
    response = redirect(target, code=302)
    response.headers["Cache-Control"] = "no-store"
    return response
