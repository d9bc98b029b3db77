"""Custom fields in the staff workspace: the template helpers the forms and the record pages call, and what a
view hands its service from a submitted form. Which fields show is what the person's role sees."""

from __future__ import annotations

from typing import Any

from flask import Flask, g, url_for

from saas.fields import present, values
from saas.i18n import current_locale


def _role() -> str | None:
    membership = g.get("membership")
    return membership.role if membership is not None else None


def inputs(entity: str, form: Any) -> list[present.Shown]:
    """The inputs of `entity`'s fields for the form, filled from `form`."""
    return present.for_form(values.visible(_role(), entity), form or {}, current_locale())


def details(entity: str, record: Any) -> list[present.Shown]:
    """The fields holding a value on `record`, formatted for its page."""
    return present.for_record(
        values.visible(_role(), entity),
        getattr(record, "custom_fields", None),
        current_locale(),
        lambda file_id: url_for("staff.open_file", file_id=file_id),
    )


def sent(entity: str, form: Any) -> dict[str, Any]:
    """`custom_fields` for the service, from a submitted form."""
    return present.from_form(values.visible(_role(), entity), form)


def stored(entity: str, record: Any) -> dict[str, Any]:
    """An edit form's values of `record`'s fields."""
    return present.stored_form(values.visible(_role(), entity), record.custom_fields)


def defaults(entity: str) -> dict[str, Any]:
    """A new record's form, prefilled with the fields' defaults."""
    return present.defaults_form(values.visible(_role(), entity))


def init_custom_fields(app: Flask) -> None:
    app.jinja_env.globals.update(
        custom_inputs=inputs,
        custom_details=details,
        custom_defaults=defaults,
        custom_columns=columns,
        custom_cell=cell,
        custom_filters=filters,
    )


def columns(entity: str, cols: str) -> list[Any]:
    """The fields a list shows as columns, among those the reader sees."""
    from saas.fields.queries import column_keys

    return column_keys(_role(), entity, cols)


def cell(definition: Any, record: Any) -> str:
    value = (getattr(record, "custom_fields", None) or {}).get(definition.key)
    return "" if value is None else present.display(definition, value, current_locale())[0]


def filters(entity: str, active: tuple[tuple[str, str], ...]) -> list[dict[str, Any]]:
    """The filter controls of a list: per field the reader sees, what its type filters by and what is set."""
    from saas.fields.types import TYPES

    chosen = dict(active)
    found = []
    for d in values.visible(_role(), entity):
        kind = TYPES[d.type]
        options: list[tuple[str, str]] = []
        if kind.widget in ("select", "checkboxes"):
            options = [(c.key, c.label(current_locale())) for c in values.choices_of(d)]
        elif kind.widget == "yesno":
            options = [("yes", _yes_no(True)), ("no", _yes_no(False))]
        elif kind.widget == "member":
            options = present._people()
        found.append(
            {
                "key": d.key,
                "label": d.label(current_locale()),
                "filters": kind.filters,
                "widget": kind.widget,
                "options": options,
                "input": {"date": "date", "datetime-local": "date"}.get(kind.widget, "text"),
                "eq": chosen.get(f"cf.{d.key}", ""),
                "contains": chosen.get(f"cf.{d.key}.contains", ""),
                "min": chosen.get(f"cf.{d.key}.min", ""),
                "max": chosen.get(f"cf.{d.key}.max", ""),
                "empty": chosen.get(f"cf.{d.key}.empty", ""),
            }
        )
    return found


def _yes_no(value: bool) -> str:
    from flask_babel import gettext

    return gettext("Yes") if value else gettext("No")
