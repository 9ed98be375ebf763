"""Staff accounts and departments."""

from __future__ import annotations

from portal.extensions import db
from portal.models import Department, Role, User
from portal.operations.errors import NotFound, ValidationError

MIN_PASSWORD_LENGTH = 8


def get_or_create_department(name: str) -> Department:
    """The department called ``name``, created when missing."""
    name = name.strip()
    if not name:
        raise ValidationError("部门名称不能为空。", field="department")
    department = db.session.execute(db.select(Department).filter_by(name=name)).scalar_one_or_none()
    if department is None:
        department = Department(name=name)
        db.session.add(department)
        db.session.flush()
    return department


def create_user(
    username: str, password: str, role: str = Role.REVIEWER, department: str | None = None, display_name: str = ""
) -> User:
    """Create a staff account with a hashed password; department staff need a department."""
    username = (username or "").strip()
    if not username or len(username) > 64 or any(ch.isspace() for ch in username):
        raise ValidationError("用户名不能为空、不能含空格，最多 64 个字符。", field="username")
    if db.session.execute(db.select(User).filter_by(username=username)).scalar_one_or_none():
        raise ValidationError(f"用户名 {username} 已存在。", field="username")
    try:
        role = Role(role)
    except ValueError:
        raise ValidationError(f"角色无效：{role}（可选 admin、reviewer、department）。", field="role") from None
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ValidationError(f"密码至少 {MIN_PASSWORD_LENGTH} 位。", field="password")
    if role == Role.DEPARTMENT and not department:
        raise ValidationError("部门工作人员必须指定所属部门。", field="department")
    user = User(username=username, role=role, display_name=display_name or username)
    if department:
        user.department = get_or_create_department(department)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(username: str, password: str) -> User | None:
    """The active user with these credentials, or None."""
    user = db.session.execute(db.select(User).filter_by(username=(username or "").strip())).scalar_one_or_none()
    if user is None or not user.active or not user.check_password(password or ""):
        return None
    return user


def get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("找不到这个用户。")
    return user
