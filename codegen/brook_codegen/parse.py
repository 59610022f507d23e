"""Strict intake of schema files in Kafka's JSON schema format.

The files are JSON with whole-line `//` comments. Every key must be one this
generator understands: a typo or a format extension we have not modelled fails
the build instead of silently changing the wire format.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class SchemaError(Exception):
    """A schema file that cannot be accepted, with the file and place named."""


TOP_LEVEL_KEYS = {
    "apiKey", "type", "listeners", "name", "validVersions", "deprecatedVersions",
    "flexibleVersions", "latestVersionUnstable", "fields", "commonStructs",
}
REQUIRED_TOP_LEVEL_KEYS = {"type", "name", "validVersions", "flexibleVersions", "fields"}
FIELD_KEYS = {
    "name", "type", "versions", "about", "nullableVersions", "taggedVersions", "tag",
    "default", "ignorable", "mapKey", "entityType", "zeroCopy", "flexibleVersions", "fields",
}
REQUIRED_FIELD_KEYS = {"name", "type"}
COMMON_STRUCT_KEYS = {"name", "versions", "fields"}
MESSAGE_TYPES = {"request", "response", "header", "metadata", "data"}
LISTENERS = {"zkBroker", "broker", "controller"}


@dataclass
class RawField:
    where: str
    name: str
    type: str
    versions: str | None
    about: str
    nullable_versions: str | None
    tagged_versions: str | None
    tag: int | None
    default: Any
    ignorable: bool
    map_key: bool
    entity_type: str | None
    zero_copy: bool
    flexible_versions: str | None
    fields: list["RawField"] | None


@dataclass
class RawStruct:
    where: str
    name: str
    versions: str
    fields: list[RawField]


@dataclass
class RawMessage:
    path: Path
    type: str
    name: str
    api_key: int | None
    valid_versions: str
    flexible_versions: str
    deprecated_versions: str | None
    latest_version_unstable: bool
    listeners: list[str]
    fields: list[RawField]
    common_structs: list[RawStruct] = field(default_factory=list)


def strip_comments(text: str) -> str:
    """Removes `//` comments outside string literals, keeping line numbers."""
    out_lines = []
    for line in text.splitlines():
        in_string = False
        escaped = False
        cut = len(line)
        for i, ch in enumerate(line):
            if in_string:
                if escaped:
                    escaped = False
                elif ch == "\\":
                    escaped = True
                elif ch == '"':
                    in_string = False
            elif ch == '"':
                in_string = True
            elif ch == "/" and line.startswith("//", i):
                cut = i
                break
        out_lines.append(line[:cut])
    return "\n".join(out_lines)


def _check_keys(obj: Any, allowed: set[str], required: set[str], where: str) -> None:
    if not isinstance(obj, dict):
        raise SchemaError(f"{where}: expected an object")
    unknown = set(obj) - allowed
    if unknown:
        raise SchemaError(f"{where}: unknown key(s) {sorted(unknown)}")
    missing = required - set(obj)
    if missing:
        raise SchemaError(f"{where}: missing key(s) {sorted(missing)}")


def _expect(value: Any, kind: type | tuple[type, ...], where: str, key: str) -> Any:
    # bool is an int in Python; an int key must not accept true/false.
    if kind is int and isinstance(value, bool):
        raise SchemaError(f"{where}: '{key}' must be an integer")
    if not isinstance(value, kind):
        raise SchemaError(f"{where}: '{key}' has the wrong type ({type(value).__name__})")
    return value


def _parse_field(obj: Any, where: str) -> RawField:
    _check_keys(obj, FIELD_KEYS, REQUIRED_FIELD_KEYS, where)
    name = _expect(obj["name"], str, where, "name")
    where = f"{where} '{name}'"
    fields = None
    if "fields" in obj:
        children = _expect(obj["fields"], list, where, "fields")
        fields = [_parse_field(child, f"{where}.fields[{i}]") for i, child in enumerate(children)]
    tag = obj.get("tag")
    if isinstance(tag, str):
        # Kafka's format also writes tags as decimal strings ("tag": "0").
        if not tag.isdigit():
            raise SchemaError(f"{where}: 'tag' must be an integer")
        tag = int(tag)
    elif tag is not None:
        _expect(tag, int, where, "tag")
    return RawField(
        where=where,
        name=name,
        type=_expect(obj["type"], str, where, "type"),
        versions=_expect(obj["versions"], str, where, "versions") if "versions" in obj else None,
        about=_expect(obj.get("about", ""), str, where, "about"),
        nullable_versions=_expect(obj["nullableVersions"], str, where, "nullableVersions")
        if "nullableVersions" in obj else None,
        tagged_versions=_expect(obj["taggedVersions"], str, where, "taggedVersions")
        if "taggedVersions" in obj else None,
        tag=tag,
        default=obj.get("default"),
        ignorable=_expect(obj.get("ignorable", False), bool, where, "ignorable"),
        map_key=_expect(obj.get("mapKey", False), bool, where, "mapKey"),
        entity_type=_expect(obj["entityType"], str, where, "entityType") if "entityType" in obj else None,
        zero_copy=_expect(obj.get("zeroCopy", False), bool, where, "zeroCopy"),
        flexible_versions=_expect(obj["flexibleVersions"], str, where, "flexibleVersions")
        if "flexibleVersions" in obj else None,
        fields=fields,
    )


def parse_text(text: str, path: Path) -> RawMessage:
    where = str(path)
    try:
        obj = json.loads(strip_comments(text))
    except json.JSONDecodeError as error:
        raise SchemaError(f"{where}: invalid JSON: {error}") from None
    _check_keys(obj, TOP_LEVEL_KEYS, REQUIRED_TOP_LEVEL_KEYS, where)
    message_type = _expect(obj["type"], str, where, "type")
    if message_type not in MESSAGE_TYPES:
        raise SchemaError(f"{where}: unknown message type '{message_type}'")
    api_key = obj.get("apiKey")
    if api_key is not None:
        _expect(api_key, int, where, "apiKey")
    if message_type in ("request", "response", "metadata") and api_key is None:
        raise SchemaError(f"{where}: a {message_type} needs an apiKey")
    if message_type in ("header", "data") and api_key is not None:
        raise SchemaError(f"{where}: a {message_type} has no apiKey")
    listeners = _expect(obj.get("listeners", []), list, where, "listeners")
    for listener in listeners:
        if listener not in LISTENERS:
            raise SchemaError(f"{where}: unknown listener '{listener}'")
    if message_type != "request" and ("listeners" in obj or "latestVersionUnstable" in obj
                                       or "deprecatedVersions" in obj):
        raise SchemaError(f"{where}: listeners, latestVersionUnstable and deprecatedVersions "
                          "belong to requests only")
    fields_list = _expect(obj["fields"], list, where, "fields")
    common = []
    for i, struct in enumerate(_expect(obj.get("commonStructs", []), list, where, "commonStructs")):
        struct_where = f"{where} commonStructs[{i}]"
        _check_keys(struct, COMMON_STRUCT_KEYS, COMMON_STRUCT_KEYS, struct_where)
        common.append(RawStruct(
            where=struct_where,
            name=_expect(struct["name"], str, struct_where, "name"),
            versions=_expect(struct["versions"], str, struct_where, "versions"),
            fields=[_parse_field(f, f"{struct_where}.fields[{j}]")
                    for j, f in enumerate(_expect(struct["fields"], list, struct_where, "fields"))],
        ))
    return RawMessage(
        path=path,
        type=message_type,
        name=_expect(obj["name"], str, where, "name"),
        api_key=api_key,
        valid_versions=_expect(obj["validVersions"], str, where, "validVersions"),
        flexible_versions=_expect(obj["flexibleVersions"], str, where, "flexibleVersions"),
        deprecated_versions=_expect(obj["deprecatedVersions"], str, where, "deprecatedVersions")
        if "deprecatedVersions" in obj else None,
        latest_version_unstable=_expect(obj.get("latestVersionUnstable", False), bool, where,
                                        "latestVersionUnstable"),
        listeners=listeners,
        fields=[_parse_field(f, f"{where} fields[{i}]") for i, f in enumerate(fields_list)],
        common_structs=common,
    )


def parse_file(path: Path) -> RawMessage:
    return parse_text(path.read_text(encoding="utf-8"), path)
