"""The workspace's blueprint: every /app page runs after `require_workspace` (who, in which studio), and refused
input anywhere in it is answered by one handler (saas/web/pages.py: the page the view declared, or back)."""

from flask import Blueprint

from saas.staff.context import require_workspace
from saas.web.pages import register_page_errors
from saas.web.security import uploading_surface

bp = Blueprint("staff", __name__, url_prefix="/app", template_folder="templates")
bp.before_request(require_workspace)
bp.before_request(uploading_surface)  # project files, drafts: the bucket joins connect-src
register_page_errors(bp)
