"""Routing, supervision, replies, reports, dashboards and the audit trail (issue 8).

Staff pages live under ``/staff/respond``; the one public page (a published adoption report) under
``/projects/<slug>/reports/<id>`` — hence no blueprint-wide url_prefix.
"""

from flask import Blueprint

bp = Blueprint("respond", __name__)

from flask_babel import lazy_gettext as _l  # noqa: E402

from portal.models import Role  # noqa: E402
from portal.navigation import add_staff_nav  # noqa: E402
from portal.respond import tasks, views  # noqa: E402,F401  (routes and Huey jobs)

add_staff_nav("respond.tasks_view", _l("工作清单"), order=30)
add_staff_nav("respond.board", _l("督办"), roles=(Role.ADMIN, Role.REVIEWER), order=31)
add_staff_nav("respond.review", _l("答复审核"), order=32)
add_staff_nav("respond.dashboard", _l("统计"), roles=(Role.ADMIN, Role.REVIEWER), order=33)
add_staff_nav("respond.report_view", _l("采纳报告"), roles=(Role.ADMIN, Role.REVIEWER), order=34)
add_staff_nav("respond.departments", _l("部门"), roles=(Role.ADMIN,), order=37)
add_staff_nav("respond.audit_view", _l("审计记录"), roles=(Role.ADMIN,), order=38)
# 导出, 答复模板 and 通知 are linked from the task list and the dashboard, to keep the tab row short.
