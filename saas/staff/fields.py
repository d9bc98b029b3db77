"""Studio settings → Custom fields: the fields of each record type, add, edit (the key stays), reorder,
archive and restore. Owners and admins."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.exceptions import NotFound

from saas.fields import services, values
from saas.fields.entities import ENTITIES
from saas.fields.models import FieldDefinition, Visibility
from saas.fields.schemas import DefinitionSchema, MoveSchema, choices_text
from saas.fields.types import TYPES
from saas.i18n import current_locale
from saas.schemas import load, translate
from saas.staff.blueprint import bp
from saas.staff.context import requires
from saas.tenants.roles import Perm
from saas.web.pages import on_invalid, resolves


def _entity(name: str | None) -> str:
    if name is None:
        return "client"
    if name not in ENTITIES:
        raise NotFound()
    return name


def _options() -> dict:
    return {
        "entities": [(name, translate(e.label)) for name, e in ENTITIES.items()],
        "types": [(key, translate(kind.label)) for key, kind in TYPES.items()],
        "visibilities": [
            (Visibility.EVERYONE.value, _("Everyone in the studio")),
            (Visibility.NOT_FINANCE.value, _("Everyone but finance")),
            (Visibility.ADMINS.value, _("Owners and admins only")),
        ],
        "language": current_locale(),
    }


@bp.get("/settings/fields")
@requires(Perm.STUDIO_SETTINGS)
def custom_fields() -> ResponseReturnValue:
    entity = _entity(request.args.get("entity"))
    return render_template(
        "staff/fields/list.html",
        entity=entity,
        live=values.definitions(entity),
        archived=values.definitions(entity, archived=True),
        **_options(),
    )


def _form(entity: str, form: dict, errors: dict, definition: FieldDefinition | None = None, status: int = 200):
    page = render_template(
        "staff/fields/form.html", entity=entity, form=form, errors=errors, definition=definition, **_options()
    )
    return page, status


def _form_of(definition: FieldDefinition) -> dict:
    from saas.fields.present import form_value

    shown = form_value(definition, definition.default)
    return {
        "key": definition.key,
        "label_en": definition.label_en,
        "label_zh": definition.label_zh,
        "help_en": definition.help_en,
        "help_zh": definition.help_zh,
        "type": definition.type,
        "required": definition.required,
        "default": ", ".join(shown) if isinstance(shown, list) else shown,
        "choices": choices_text(definition.choices),
        "visibility": definition.visibility,
        "version": definition.version,
    }


def _posted() -> dict:
    data = load(DefinitionSchema(), request.form)
    if TYPES.get(data["type"]) and TYPES[data["type"]].stored == "choices" and isinstance(data.get("default"), str):
        data["default"] = [k.strip() for k in data["default"].replace("，", ",").split(",") if k.strip()]
    return data


@bp.route("/settings/fields/new", methods=["GET", "POST"])
@requires(Perm.STUDIO_SETTINGS)
@on_invalid(lambda exc: _form(_entity(request.args.get("entity")), request.form, exc.errors, status=422))
def new_custom_field() -> ResponseReturnValue:
    entity = _entity(request.args.get("entity"))
    if request.method == "GET":
        return _form(entity, {"type": "text", "visibility": Visibility.EVERYONE.value}, {})
    definition = services.create_definition(g.membership, entity, _posted())
    flash(_("Field %(name)s added.", name=definition.label(current_locale())), "success")
    return redirect(url_for("staff.custom_fields", entity=entity))


@bp.route("/settings/fields/<definition_id>/edit", methods=["GET", "POST"])
@requires(Perm.STUDIO_SETTINGS)
@resolves(definition=services.get_definition)
@on_invalid(lambda exc, definition: _form(definition.entity, request.form, exc.errors, definition, 422))
def edit_custom_field(definition: FieldDefinition) -> ResponseReturnValue:
    if request.method == "GET":
        return _form(definition.entity, _form_of(definition), {}, definition)
    services.update_definition(g.membership, definition, _posted())
    flash(_("Field %(name)s saved.", name=definition.label(current_locale())), "success")
    return redirect(url_for("staff.custom_fields", entity=definition.entity))


@bp.post("/settings/fields/<definition_id>/move")
@requires(Perm.STUDIO_SETTINGS)
@resolves(definition=services.get_definition)
def move_custom_field(definition: FieldDefinition) -> ResponseReturnValue:
    services.move_definition(g.membership, definition, load(MoveSchema(), request.form)["direction"])
    return redirect(url_for("staff.custom_fields", entity=definition.entity) + f"#field-{definition.key}")


@bp.post("/settings/fields/<definition_id>/<any(archive, restore):action>")
@requires(Perm.STUDIO_SETTINGS)
@resolves(definition=services.get_definition)
def archive_custom_field(definition: FieldDefinition, action: str) -> ResponseReturnValue:
    services.set_archived(g.membership, definition, action == "archive")
    name = definition.label(current_locale())
    if action == "archive":
        flash(_("Field %(name)s archived: its values are kept and come back if you restore it.", name=name), "success")
    else:
        flash(_("Field %(name)s restored.", name=name), "success")
    return redirect(url_for("staff.custom_fields", entity=definition.entity))
