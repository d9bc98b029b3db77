from flask import Blueprint

from saas.staff.context import require_workspace

bp = Blueprint("staff", __name__, url_prefix="/app", template_folder="templates")
bp.before_request(require_workspace)
