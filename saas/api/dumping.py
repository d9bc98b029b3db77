"""Answers dumped fast, from the same schemas. Marshmallow walks a dozen calls per field per record; an API read
spent more time there than in its SQL. `dumper(schema_class, options)` compiles a schema once per process (and
per audience: only/exclude) into a list of (key, attribute, conversion): plain fields are converted inline,
anything else (Function, Method, Nested, a field type not listed here) still goes through the field's own
serialize, so every answer is what marshmallow would give. In tests both are compared on every answer
(saas/api/operations.py), so a new field type cannot drift unnoticed.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from marshmallow import Schema, fields

Convert = Callable[[Any], Any]


def _iso(value: Any) -> str:
    return value.isoformat()


# Exact classes only: a subclass may serialise differently, so it takes the field's own path.
PLAIN: dict[type, Convert] = {
    fields.String: str,
    fields.Integer: int,
    fields.Float: float,
    fields.Boolean: bool,
    fields.UUID: str,
    fields.DateTime: _iso,
    fields.Date: _iso,
}
_ABSENT = object()
Getter = Callable[[Any], Any]


def _plain(field: fields.Field) -> Convert | None:
    if "." in (field.attribute or "") or getattr(field, "as_string", False):
        return None  # a dotted path, or a number sent as a string: marshmallow's own
    if type(field) is fields.DateTime and field.format not in (None, "iso"):
        return None  # another format: marshmallow's own
    return PLAIN.get(type(field))


def _attribute(attribute: str, convert: Convert) -> Getter:
    def get(obj: Any) -> Any:
        value = getattr(obj, attribute, _ABSENT)
        return value if value is None or value is _ABSENT else convert(value)

    return get


def _getter(name: str, field: fields.Field, schema: Schema) -> Getter:
    """How one field's value is read from a record: inline where the field is plain, else the field's own."""
    attribute = field.attribute or name
    convert = _plain(field)
    if convert is not None:
        return _attribute(attribute, convert)
    if type(field) is fields.List and type(field.inner) is fields.String and "." not in attribute:
        return _attribute(attribute, lambda items: [str(item) for item in items])
    if type(field) is fields.List and type(field.inner) is fields.Nested and "." not in attribute:
        nested = _compile(field.inner.schema)
        return _attribute(attribute, lambda items: [nested(item) for item in items])
    if type(field) is fields.Function and field.serialize_func is not None:
        return field.serialize_func  # marshmallow calls it with the record alone too
    return lambda obj: field.serialize(name, obj, accessor=schema.get_attribute)


def _compile(schema: Schema) -> Callable[[Any], dict[str, Any]]:
    if any(schema._hooks.get(hook) for hook in ("pre_dump", "post_dump")):
        return schema.dump  # hooks reshape the answer: marshmallow's own, whole
    steps = [(field.data_key or name, _getter(name, field, schema)) for name, field in schema.dump_fields.items()]

    def dump(obj: Any) -> dict[str, Any]:
        if isinstance(obj, dict):
            return schema.dump(obj)
        out: dict[str, Any] = {}
        for key, get in steps:
            value = get(obj)
            if value is not _ABSENT:  # as marshmallow: an attribute the object lacks is left out
                out[key] = value
        return out

    return dump


@cache
def _schema(schema_class: type[Schema], options: tuple[tuple[str, Any], ...]) -> Schema:
    return schema_class(**dict(options))


@cache
def _dumper(schema_class: type[Schema], options: tuple[tuple[str, Any], ...]) -> Callable[[Any], dict[str, Any]]:
    return _compile(_schema(schema_class, options))


def _key(options: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
    return tuple(sorted((k, tuple(v) if isinstance(v, list | set | tuple) else v) for k, v in options.items()))


def dump(schema_class: type[Schema], result: Any, many: bool = False, **options: Any) -> Any:
    one = _dumper(schema_class, _key(options))
    return [one(item) for item in result] if many else one(result)


def dump_slowly(schema_class: type[Schema], result: Any, many: bool = False, **options: Any) -> Any:
    """Marshmallow's own answer, for the comparison tests make."""
    return _schema(schema_class, _key(options)).dump(result, many=many)
