"""Type-check an AWS CLI output item against the API's own output shape (botocore's service
model) before the collector's transform reads it: a field of the wrong JSON type (a list where
the API returns a string, an object where it returns a number) is left out and named, so the
transform sees it as absent (NOT_ASSESSED) instead of reading garbage. Collect stage, offline."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

SCALAR_TYPES = {
    "string": (str,), "blob": (str,), "character": (str,),
    "integer": (int,), "long": (int,), "float": (int, float), "double": (int, float),
    "boolean": (bool,), "timestamp": (str, int, float),
}


@lru_cache(maxsize=None)
def _session() -> Any:
    import botocore.session  # loaded only when an import holds AWS CLI output

    return botocore.session.get_session()


@lru_cache(maxsize=256)
def item_shape(operations: tuple[str, ...], key: str) -> Any:
    """The botocore shape of one item under top-level `key` of one of `operations`' outputs
    ("rds:DescribeDBInstances", ...), or None when no output has that key."""
    for operation in operations:
        service, _, name = operation.partition(":")
        output = _session().get_service_model(service).operation_model(name).output_shape
        if output is not None and key in output.members:
            member = output.members[key]
            return member.member if member.type_name == "list" else member
    return None


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}.get(type(value), "a number")


def conform(value: Any, shape: Any, path: str, problems: list[str]) -> tuple[bool, Any]:
    """(fits, value with misfit parts removed). Nulls are kept (absent is the transform's call);
    fields the model does not know are kept as they are."""
    if value is None:
        return True, None
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            problems.append(f"{path or 'item'} is {_json_type(value)}, expected an object")
            return False, None
        out = {}
        for name, child in value.items():
            member = shape.members.get(name)
            if member is None:
                out[name] = child
                continue
            fits, cleaned = conform(child, member, f"{path}.{name}" if path else name, problems)
            if fits:
                out[name] = cleaned
        return True, out
    if kind == "list":
        if not isinstance(value, list):
            problems.append(f"{path} is {_json_type(value)}, expected a list")
            return False, None
        items = [conform(item, shape.member, f"{path}[{index}]", problems) for index, item in enumerate(value)]
        return True, [cleaned for fits, cleaned in items if fits]
    if kind == "map":
        if not isinstance(value, dict):
            problems.append(f"{path} is {_json_type(value)}, expected an object")
            return False, None
        entries = {k: conform(v, shape.value, f"{path}.{k}", problems) for k, v in value.items()}
        return True, {k: cleaned for k, (fits, cleaned) in entries.items() if fits}
    expected = SCALAR_TYPES.get(kind)
    if expected is None:
        return True, value
    if isinstance(value, bool) and bool not in expected or not isinstance(value, expected):
        problems.append(f"{path} is {_json_type(value)}, expected {'text' if str in expected else kind}")
        return False, None
    return True, value
