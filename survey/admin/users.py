"""Staff accounts and API tokens, for administrators only."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from survey.admin import bp
from survey.admin.common import choices, no_store, options, posted, refuse, scoped, visible_units
from survey.administration import api_tokens
from survey.administration import users as accounts
from survey.auth import roles_required
from survey.extensions import db
from survey.models import ApiToken, Unit, User

ROLE_NAMES = [
    ("unit_viewer", _l("Chỉ xem (đơn vị)")),
    ("unit_manager", _l("Quản lý đơn vị")),
    ("sector_viewer", _l("Sở chuyên ngành: xem một ngành ở mọi đơn vị")),
    ("admin", _l("Quản trị Sở Nội vụ")),
]
SECTOR_NAMES = [
    ("", _l("— không (chỉ với vai trò sở chuyên ngành) —")),
    ("health", _l("Y tế: bệnh viện, trạm y tế (Sở Y tế)")),
    ("education", _l("Giáo dục: trường học (Sở Giáo dục và Đào tạo)")),
]


class UserForm(FlaskForm):
    email = EmailField(
        _l("Thư điện tử"), validators=[DataRequired(), Regexp(r"^[^@\s]+@[^@\s]+$"), Length(max=200)]
    )
    name = StringField(_l("Họ và tên"), validators=[DataRequired(), Length(max=200)])
    role = SelectField(_l("Vai trò"), choices=options(ROLE_NAMES))
    unit = SelectField(_l("Đơn vị (với vai trò đơn vị)"))
    sector = SelectField(_l("Ngành (với vai trò sở chuyên ngành)"), choices=options(SECTOR_NAMES),
                         validate_choice=False)  # checked by create_user and update_user
    password = PasswordField(
        _l("Mật khẩu (ít nhất 10 ký tự)"), validators=[Optional(), Length(min=10, max=200)]
    )
    active = BooleanField(_l("Đang hoạt động"), default=True)
    reads_comments = BooleanField(_l("Được đọc ý kiến của người dân (chỉ trong đơn vị của mình)"))
    handles_complaints = BooleanField(
        _l("Xử lý phản ánh, kiến nghị của đơn vị (xem được liên hệ của người gửi)"))


class TokenForm(FlaskForm):
    unit = SelectField(_l("Đơn vị"), validators=[DataRequired()])
    label = StringField(_l("Tên phần mềm dùng khóa"), validators=[DataRequired(), Length(max=120)])


def _user_form(user: User | None = None) -> UserForm:
    form = UserForm(obj=user)
    form.unit.choices = choices(visible_units(open_only=True), blank="—")
    if user is not None and request.method == "GET":
        form.unit.data = str(user.unit_id or "")
        form.sector.data = user.sector or ""
    return form


def _users_page(form: UserForm) -> str:
    rows = db.session.scalars(select(User).order_by(User.role, User.email))
    return render_template("admin/users.html", users=rows, form=form, roles=dict(ROLE_NAMES),
                           sectors=dict(SECTOR_NAMES))


@bp.get("/users")
@roles_required("admin")
def users() -> str:
    return _users_page(_user_form())


@bp.post("/users")
@roles_required("admin")
def user_create() -> Response | tuple[str, int]:
    unit, form = posted(Unit, "unit"), _user_form()
    if form.validate_on_submit() and form.password.data:
        try:
            user = accounts.create_user(
                db.session,
                current_user,
                email=form.email.data,
                name=form.name.data,
                password=form.password.data,
                role=form.role.data,
                unit=unit,
                sector=form.sector.data or None,
                reads_comments=form.reads_comments.data,
                handles_complaints=form.handles_complaints.data,
            )
        except accounts.UserError as error:
            refuse(error)
        else:
            db.session.commit()
            flash(_("Đã tạo tài khoản %(email)s.", email=user.email), "notice")
            return redirect(url_for("admin.users"), code=303)
    elif form.is_submitted() and not form.password.data:
        form.password.errors = [_("Cần đặt mật khẩu cho tài khoản mới.")]
    return _users_page(form), 400


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles_required("admin")
def user_edit(user_id: int) -> Response | str | tuple[str, int]:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    form = _user_form(user)
    if request.method == "POST":
        unit = posted(Unit, "unit")
        if form.validate_on_submit():
            try:
                accounts.update_user(
                    db.session,
                    current_user,
                    user,
                    name=form.name.data,
                    role=form.role.data,
                    unit=unit,
                    sector=form.sector.data or None,
                    active=form.active.data,
                    password=form.password.data or None,
                    reads_comments=form.reads_comments.data,
                    handles_complaints=form.handles_complaints.data,
                )
            except accounts.UserError as error:
                refuse(error)
            else:
                db.session.commit()
                flash(_("Đã lưu."), "notice")
                return redirect(url_for("admin.users"), code=303)
        return render_template("admin/user_edit.html", user=user, form=form), 400
    return render_template("admin/user_edit.html", user=user, form=form)


def _tokens_page(form: TokenForm, secret: str | None = None) -> str:
    rows = db.session.scalars(select(ApiToken).order_by(ApiToken.revoked_at.is_not(None), ApiToken.id.desc()))
    return render_template("admin/tokens.html", tokens=rows, form=form, secret=secret)


def _token_form() -> TokenForm:
    form = TokenForm()
    form.unit.choices = choices(visible_units(open_only=True))
    return form


@bp.get("/tokens")
@roles_required("admin")
def tokens() -> str:
    return _tokens_page(_token_form())


@bp.post("/tokens")
@roles_required("admin")
def token_create() -> Response | tuple[str, int]:
    unit, form = posted(Unit, "unit"), _token_form()
    if unit is None or not form.validate_on_submit():
        return _tokens_page(form), 400
    _token, secret = api_tokens.issue_token(db.session, unit, label=form.label.data, actor=current_user)
    db.session.commit()
    return no_store(_tokens_page(_token_form(), secret=secret))


@bp.post("/tokens/<int:token_id>/revoke")
@roles_required("admin")
def token_revoke(token_id: int) -> Response:
    token = scoped(ApiToken, token_id, manage=True)
    api_tokens.revoke_token(db.session, token, actor=current_user)
    db.session.commit()
    flash(_("Đã thu hồi khóa API."), "notice")
    return redirect(url_for("admin.tokens"), code=303)
