"""JSON on the control API, typed by the one interface definition.

A value goes out as plain JSON (records through :func:`to_jsonable`, timestamps in ISO
form) and comes back as the exact type the :class:`WorkbenchApi` method declares: the
annotation is the schema, so an operation added to the interface crosses the wire
without a hand-written serializer. The same annotations decode a request's arguments on
the engine side, so a wrong type is refused (422) before it reaches the engine.
"""

from __future__ import annotations

import enum
import inspect
import json
import re
import types
from collections.abc import Mapping
from dataclasses import MISSING, fields, is_dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

from workbench.api.interface import WorkbenchApi
from workbench.core import errors
from workbench.core.errors import WorkbenchError
from workbench.core.records import to_jsonable


class CodecError(WorkbenchError):
    """A value does not have the type the operation's signature declares."""


# encoding ------------------------------------------------------------------------------


def encode(value: Any) -> Any:
    """``value`` as JSON-ready data (records as objects, datetimes in ISO form)."""
    return to_jsonable(value)


def _fallback(value: Any) -> Any:
    """What json cannot encode by itself: paths, dates, numpy scalars."""
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def dumps(value: Any) -> bytes:
    """``value`` as a JSON document (NaN kept: metrics may be undefined)."""
    return json.dumps(encode(value), default=_fallback).encode("utf-8")


# decoding ------------------------------------------------------------------------------


def decode(data: Any, hint: Any, where: str = "value") -> Any:
    """``data`` (parsed JSON) as an instance of the type ``hint``.

    Handles records (nested, with tuples), ``X | None``, ``list``/``tuple``/``dict``,
    datetimes in ISO form, the vocabulary's enums (from their plain words) and the scalar
    types.

    Raises:
        CodecError: ``data`` does not fit ``hint``; ``where`` names the place.
    """
    if hint is Any or hint is object:
        return data
    if hint is None or hint is type(None):
        if data is None:
            return None
        raise CodecError(f"{where}: expected null, got {data!r}")
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        return _decode_union(data, hint, where)
    if origin is Literal:
        if data in get_args(hint):
            return data
        raise CodecError(f"{where}: {data!r} is not one of {get_args(hint)}")
    if origin in (list, tuple, dict) or hint in (list, tuple, dict):
        return _decode_container(data, hint, where)
    if isinstance(hint, type) and is_dataclass(hint):
        if hasattr(hint, "from_dict"):  # a report that reads its own JSON form
            return _decode_report(data, hint, where)
        return _decode_record(data, hint, where)
    if isinstance(hint, type):
        return _decode_scalar(data, hint, where)
    raise CodecError(f"{where}: cannot decode the type {hint!r}")


def _decode_report(data: Any, hint: Any, where: str) -> Any:
    if not isinstance(data, dict):
        raise CodecError(f"{where}: expected a {hint.__name__} object, got {data!r}")
    try:
        return hint.from_dict(data)
    except (KeyError, TypeError, ValueError) as exc:
        raise CodecError(f"{where}: not a {hint.__name__}: {exc}") from None


def _decode_union(data: Any, hint: Any, where: str) -> Any:
    options = get_args(hint)
    if data is None and type(None) in options:
        return None
    for option in options:
        if option is type(None):
            continue
        try:
            return decode(data, option, where)
        except CodecError:
            continue
    raise CodecError(f"{where}: {data!r} is none of {_type_name(hint)}")


def _decode_container(data: Any, hint: Any, where: str) -> Any:
    origin = get_origin(hint) or hint
    args = get_args(hint)
    if origin is dict:
        if not isinstance(data, dict):
            raise CodecError(f"{where}: expected an object, got {data!r}")
        key_type, value_type = args or (Any, Any)
        return {
            _decode_key(k, key_type, where): decode(v, value_type, f"{where}[{k!r}]")
            for k, v in data.items()
        }
    if not isinstance(data, list | tuple):
        raise CodecError(f"{where}: expected an array, got {data!r}")
    if origin is list:
        item = args[0] if args else Any
        return [decode(v, item, f"{where}[{i}]") for i, v in enumerate(data)]
    if not args or (len(args) == 2 and args[1] is Ellipsis):
        item = args[0] if args else Any
        return tuple(decode(v, item, f"{where}[{i}]") for i, v in enumerate(data))
    if len(args) != len(data):
        raise CodecError(f"{where}: expected {len(args)} items, got {len(data)}")
    return tuple(
        decode(v, t, f"{where}[{i}]") for i, (v, t) in enumerate(zip(data, args, strict=True))
    )


def _decode_key(key: Any, hint: Any, where: str) -> Any:
    """JSON object keys are strings; int keys come back as ints."""
    if hint is int and isinstance(key, str):
        try:
            return int(key)
        except ValueError as exc:
            raise CodecError(f"{where}: key {key!r} is not an integer") from exc
    return decode(key, hint, f"{where} key")


def _decode_record(data: Any, cls: type, where: str) -> Any:
    if not isinstance(data, dict):
        raise CodecError(f"{where}: expected a {cls.__name__} object, got {data!r}")
    hints = _field_types(cls)
    unknown = set(data) - set(hints)
    if unknown:
        raise CodecError(f"{where}: {cls.__name__} has no field {sorted(unknown)[0]!r}")
    values = {}
    for field in fields(cls):
        if field.name in data:
            values[field.name] = decode(
                data[field.name], hints[field.name], f"{where}.{field.name}"
            )
        elif field.default is MISSING and field.default_factory is MISSING:
            raise CodecError(f"{where}: {cls.__name__} is missing the field {field.name!r}")
    return cls(**values)


def _decode_scalar(data: Any, cls: type, where: str) -> Any:
    if issubclass(cls, enum.Enum):  # a vocabulary word: the same member as on the engine side
        try:
            return cls(data)
        except (TypeError, ValueError):
            words = ", ".join(str(m.value) for m in cls)
            raise CodecError(f"{where}: {data!r} is not one of {words}") from None
    if cls is datetime:
        if isinstance(data, datetime):
            return data
        try:
            return datetime.fromisoformat(data)
        except (TypeError, ValueError) as exc:
            raise CodecError(f"{where}: {data!r} is not an ISO timestamp") from exc
    if cls is float and isinstance(data, int | float) and not isinstance(data, bool):
        return float(data)
    if cls is int and isinstance(data, bool):
        raise CodecError(f"{where}: expected an integer, got {data!r}")
    if isinstance(data, cls):
        return data
    raise CodecError(f"{where}: expected {cls.__name__}, got {data!r}")


@cache
def _field_types(cls: type) -> dict[str, Any]:
    return get_type_hints(cls)


def _type_name(hint: Any) -> str:
    return getattr(hint, "__name__", None) or str(hint).replace("typing.", "")


# operations ----------------------------------------------------------------------------


@cache
def signature(name: str) -> inspect.Signature:
    """The parameters of interface method ``name`` (``self`` included)."""
    return inspect.signature(getattr(WorkbenchApi, name))


@cache
def type_hints(name: str) -> dict[str, Any]:
    """Resolved annotations of interface method ``name``, ``return`` included."""
    return get_type_hints(getattr(WorkbenchApi, name))


def decode_result(name: str, data: Any) -> Any:
    """The result of operation ``name`` from its JSON, as the declared return type."""
    return decode(data, type_hints(name)["return"], f"{name}()")


def bind_arguments(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
    """The arguments a caller passed explicitly, by parameter name (defaults left out).

    Leaving defaults out lets the engine apply its own, exactly as a local call would.

    Raises:
        TypeError: The call does not fit the signature (as a local call would raise).
    """
    bound = signature(name).bind(None, *args, **kwargs)
    return {k: v for k, v in bound.arguments.items() if k != "self"}


def encode_arguments(name: str, arguments: Mapping[str, Any]) -> dict[str, Any]:
    """A POST body: the JSON object of the operation's parameters."""
    return {k: encode(v) for k, v in arguments.items()}


def decode_arguments(name: str, body: Any) -> dict[str, Any]:
    """Keyword arguments for operation ``name`` from a JSON body.

    Raises:
        CodecError: Not an object, an unknown or missing parameter, or a wrong type.
    """
    if not isinstance(body, dict):
        raise CodecError(f"{name}: the body must be a JSON object of parameters")
    return _checked(
        name, {k: decode(v, _param_type(name, k), f"{name}({k}=)") for k, v in body.items()}
    )


def query_arguments(name: str, arguments: Mapping[str, Any]) -> dict[str, str]:
    """Query parameters for a GET: plain text values; None means "use the default".

    Raises:
        CodecError: None was passed for a parameter whose default is not None.
    """
    params = signature(name).parameters
    query: dict[str, str] = {}
    for key, value in arguments.items():
        if value is None:
            if params[key].default is not None:
                raise CodecError(f"{name}: {key} cannot be None")
            continue
        if isinstance(value, bool):
            query[key] = "true" if value else "false"
        elif isinstance(value, str):
            query[key] = value
        elif isinstance(value, int | float):
            query[key] = str(value)
        else:
            query[key] = json.dumps(encode(value), default=_fallback, separators=(",", ":"))
    return query


def decode_query(name: str, query: Mapping[str, str]) -> dict[str, Any]:
    """Keyword arguments for operation ``name`` from query parameters.

    Raises:
        CodecError: An unknown or missing parameter, or a value of the wrong type.
    """
    return _checked(name, {k: _parse_text(name, k, v) for k, v in query.items()})


_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}


def _parse_text(name: str, key: str, text: str) -> Any:
    hint = _param_type(name, key)
    where = f"{name}({key}=)"
    options = (
        [t for t in get_args(hint)] if get_origin(hint) in (Union, types.UnionType) else [hint]
    )
    for option in options:
        if option is str or option is Any:
            return text
        if isinstance(option, type) and issubclass(option, enum.Enum):
            return decode(text, option, where)
        if option is bool and text.lower() in _TRUE | _FALSE:
            return text.lower() in _TRUE
        if option in (int, float):
            try:
                return option(text)
            except ValueError:
                continue
    try:
        return decode(json.loads(text), hint, where)
    except ValueError:
        pass
    if any(get_origin(t) in (list, tuple) for t in options):  # ?run_ids=1,2 from curl
        return decode([_scalar_text(item) for item in text.split(",")], hint, where)
    raise CodecError(f"{where}: {text!r} is not a {_type_name(hint)}")


def _scalar_text(text: str) -> Any:
    """One comma-separated item as the JSON scalar it spells, else as text."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def _param_type(name: str, key: str) -> Any:
    if key == "self" or key not in signature(name).parameters:
        raise CodecError(f"{name} has no parameter {key!r}")
    return type_hints(name).get(key, Any)


def _checked(name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    try:
        signature(name).bind(None, **arguments)
    except TypeError as exc:
        raise CodecError(f"{name}: {exc}") from exc
    return arguments


# errors --------------------------------------------------------------------------------

_CORE_ERRORS = {
    name: cls
    for name, cls in vars(errors).items()
    if isinstance(cls, type) and issubclass(cls, WorkbenchError)
}


def error_type(exc: BaseException) -> type[WorkbenchError]:
    """The class in :mod:`workbench.core.errors` a client re-raises for ``exc``."""
    for cls in type(exc).__mro__:
        if _CORE_ERRORS.get(cls.__name__) is cls:
            return cls
    return WorkbenchError


def error_body(exc: BaseException, code: str | None = None) -> dict[str, str]:
    """The JSON error of the control API: what a client needs to raise the same error."""
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", type(exc).__name__).lower()
    return {
        "error_code": code or snake.removesuffix("_error"),
        "message": str(exc),
        "error_type": error_type(exc).__name__,
    }


def error_from_body(body: Any, fallback: str) -> WorkbenchError:
    """The exception to raise for an error body (``fallback`` when it is not one)."""
    if not isinstance(body, dict) or not isinstance(body.get("message"), str):
        return WorkbenchError(fallback)
    cls = _CORE_ERRORS.get(str(body.get("error_type")), WorkbenchError)
    return cls(body["message"])
