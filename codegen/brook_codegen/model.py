"""The resolved model of a schema: messages, structs, fields and types.

All version arithmetic lives in Versions. The model checks what the parser
cannot: version ranges, tags, nullability, defaults and struct references.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterator

from .parse import RawField, RawMessage, SchemaError

VERSION_INFINITY = 0x7FFF  # Versions are int16 on the wire.


@dataclass(frozen=True)
class Versions:
    """An inclusive range of versions; lowest > highest means no versions."""

    lowest: int
    highest: int

    @staticmethod
    def parse(text: str, where: str = "") -> "Versions":
        text = text.strip()
        try:
            if text == "none":
                return NO_VERSIONS
            if text.endswith("+"):
                return Versions(int(text[:-1]), VERSION_INFINITY)
            if "-" in text:
                low, high = text.split("-", 1)
                result = Versions(int(low), int(high))
            else:
                result = Versions(int(text), int(text))
        except ValueError:
            raise SchemaError(f"{where}: invalid version range '{text}'") from None
        if result.lowest < 0 or result.lowest > result.highest or result.highest > VERSION_INFINITY:
            raise SchemaError(f"{where}: invalid version range '{text}'")
        return result

    @property
    def empty(self) -> bool:
        return self.lowest > self.highest

    @property
    def open_ended(self) -> bool:
        return not self.empty and self.highest == VERSION_INFINITY

    def contains(self, other: "int | Versions") -> bool:
        if isinstance(other, int):
            return self.lowest <= other <= self.highest
        return other.empty or (self.lowest <= other.lowest and other.highest <= self.highest)

    def intersect(self, other: "Versions") -> "Versions":
        result = Versions(max(self.lowest, other.lowest), min(self.highest, other.highest))
        return NO_VERSIONS if result.empty else result

    def __iter__(self) -> Iterator[int]:
        return iter(range(self.lowest, self.highest + 1)) if not self.empty else iter(())

    def __str__(self) -> str:
        if self.empty:
            return "none"
        if self.open_ended:
            return f"{self.lowest}+"
        if self.lowest == self.highest:
            return str(self.lowest)
        return f"{self.lowest}-{self.highest}"


NO_VERSIONS = Versions(1, 0)
ALL_VERSIONS = Versions(0, VERSION_INFINITY)

PRIMITIVES = {"bool", "int8", "int16", "uint16", "uint32", "int32", "int64", "float64",
              "string", "uuid", "bytes", "records"}
INTEGERS = {"int8": (-2**7, 2**7 - 1), "int16": (-2**15, 2**15 - 1), "uint16": (0, 2**16 - 1),
            "int32": (-2**31, 2**31 - 1), "uint32": (0, 2**32 - 1), "int64": (-2**63, 2**63 - 1)}


@dataclass(frozen=True)
class FieldType:
    """A field's type: a primitive, a struct (by name), or an array of either."""

    name: str          # element type name for arrays
    is_array: bool = False

    @staticmethod
    def parse(text: str, where: str) -> "FieldType":
        is_array = text.startswith("[]")
        name = text[2:] if is_array else text
        if name in PRIMITIVES:
            if is_array and name == "records":
                raise SchemaError(f"{where}: arrays of records are not allowed")
            return FieldType(name, is_array)
        if not re.fullmatch(r"[A-Z][A-Za-z0-9]*", name):
            raise SchemaError(f"{where}: unknown type '{text}'")
        return FieldType(name, is_array)

    @property
    def is_struct(self) -> bool:
        return self.name not in PRIMITIVES

    @property
    def is_struct_array(self) -> bool:
        return self.is_array and self.is_struct

    @property
    def is_variable_length(self) -> bool:
        """Types with a length prefix whose encoding changes in flexible versions."""
        return self.is_array or self.name in ("string", "bytes", "records")

    def __str__(self) -> str:
        return ("[]" if self.is_array else "") + self.name


@dataclass
class Field:
    name: str
    type: FieldType
    versions: Versions
    nullable_versions: Versions
    tagged_versions: Versions
    tag: int | None
    default: object          # parsed: None for null, int, float, bool, str, or "" for empty
    default_is_explicit: bool
    ignorable: bool
    map_key: bool
    entity_type: str | None
    zero_copy: bool
    flexible_versions: Versions | None   # per-field override, strings/bytes only
    about: str
    struct: "Struct | None" = None       # resolved struct for struct and struct-array fields
    where: str = ""

    @property
    def is_tagged(self) -> bool:
        return self.tag is not None

    @property
    def nullable(self) -> bool:
        return not self.nullable_versions.empty


@dataclass
class Struct:
    name: str
    versions: Versions
    fields: list[Field]
    is_common: bool = False
    where: str = ""

    def tagged_fields(self) -> list[Field]:
        return sorted((f for f in self.fields if f.is_tagged), key=lambda f: f.tag)


@dataclass
class Message:
    path: str
    type: str
    name: str
    api_key: int | None
    valid_versions: Versions
    flexible_versions: Versions
    deprecated_versions: Versions
    latest_version_unstable: bool
    listeners: list[str]
    root: Struct
    structs: list[Struct] = field(default_factory=list)   # every struct, dependencies first

    @property
    def lowest_flexible_version(self) -> int:
        return -1 if self.flexible_versions.empty else self.flexible_versions.lowest


def _parse_default(raw: RawField, ftype: FieldType, nullable: Versions, versions: Versions,
                   where: str) -> tuple[object, bool]:
    value = raw.default
    if value is None:
        return _implicit_default(ftype, nullable), False
    text = str(value).strip() if not isinstance(value, bool) else ("true" if value else "false")
    if text in ("null", "None") and (ftype.is_array or ftype.is_struct
                                     or ftype.name in ("string", "bytes", "records")):
        if not nullable.contains(versions):
            raise SchemaError(f"{where}: default null needs the field nullable in all its versions")
        return None, True
    if ftype.is_array or ftype.is_struct:
        raise SchemaError(f"{where}: only null may be the default of an array or struct")
    if ftype.name in INTEGERS:
        try:
            number = int(text, 0)
        except ValueError:
            raise SchemaError(f"{where}: invalid integer default '{text}'") from None
        low, high = INTEGERS[ftype.name]
        if not low <= number <= high:
            raise SchemaError(f"{where}: default {number} does not fit {ftype.name}")
        return number, True
    if ftype.name == "bool":
        if text.lower() not in ("true", "false"):
            raise SchemaError(f"{where}: invalid bool default '{text}'")
        return text.lower() == "true", True
    if ftype.name == "float64":
        try:
            return float(text), True
        except ValueError:
            raise SchemaError(f"{where}: invalid float64 default '{text}'") from None
    if ftype.name == "string":
        return str(value), True
    if ftype.name == "uuid":
        # Kafka's generator accepts only the zero uuid as a default in practice.
        if text not in ("", "null", "AAAAAAAAAAAAAAAAAAAAAA"):
            raise SchemaError(f"{where}: a uuid default must be the zero uuid")
        return "", True
    if ftype.name in ("bytes", "records"):
        raise SchemaError(f"{where}: only null may be the default of {ftype.name}")
    raise SchemaError(f"{where}: no default allowed for {ftype}")


def _implicit_default(ftype: FieldType, nullable: Versions) -> object:
    if ftype.is_array:
        return []
    if ftype.is_struct:
        return {}
    if ftype.name == "records":
        return None
    if ftype.name in ("string", "bytes"):
        return ""
    if ftype.name == "bool":
        return False
    if ftype.name == "float64":
        return 0.0
    if ftype.name == "uuid":
        return ""
    return 0


class _Builder:
    def __init__(self, raw: RawMessage):
        self.raw = raw
        self.valid = Versions.parse(raw.valid_versions, str(raw.path))
        self.flexible = Versions.parse(raw.flexible_versions, str(raw.path))
        self.common_raw = {s.name: s for s in raw.common_structs}
        self.structs: dict[str, Struct] = {}
        self.order: list[Struct] = []
        self.in_progress: set[str] = set()
        self.used_common: set[str] = set()

    def build(self) -> Message:
        raw = self.raw
        where = str(raw.path)
        if self.valid.empty:
            raise SchemaError(f"{where}: validVersions is empty")
        if not self.flexible.empty and not self.flexible.open_ended:
            raise SchemaError(f"{where}: flexibleVersions must be 'none' or open-ended")
        if len(self.common_raw) != len(raw.common_structs):
            raise SchemaError(f"{where}: duplicate common struct names")
        deprecated = Versions.parse(raw.deprecated_versions, where) if raw.deprecated_versions else NO_VERSIONS
        if not self.valid.contains(deprecated):
            raise SchemaError(f"{where}: deprecatedVersions outside validVersions")
        for name in self.common_raw:
            self._common(name)
        root = self._struct(raw.name, self.valid, raw.fields, where, is_root=True)
        unused = [n for n in self.common_raw if n not in self.used_common]
        if unused:
            raise SchemaError(f"{where}: common structs never used: {unused}")
        return Message(
            path=where, type=raw.type, name=raw.name, api_key=raw.api_key,
            valid_versions=self.valid, flexible_versions=self.flexible,
            deprecated_versions=deprecated, latest_version_unstable=raw.latest_version_unstable,
            listeners=list(raw.listeners), root=root, structs=self.order,
        )

    def _common(self, name: str) -> Struct:
        if name in self.structs:
            return self.structs[name]
        if name in self.in_progress:
            raise SchemaError(f"{self.raw.path}: common struct '{name}' refers to itself")
        self.in_progress.add(name)
        raw = self.common_raw[name]
        struct = self._struct(name, Versions.parse(raw.versions, raw.where), raw.fields, raw.where,
                              is_common=True)
        self.in_progress.discard(name)
        return struct

    def _struct(self, name: str, versions: Versions, raw_fields: list[RawField], where: str,
                is_root: bool = False, is_common: bool = False) -> Struct:
        if not is_root and name in self.structs:
            raise SchemaError(f"{where}: struct '{name}' is defined twice")
        if name == self.raw.name and not is_root:
            raise SchemaError(f"{where}: a struct may not share the message's name")
        fields = [self._field(f, versions) for f in raw_fields]
        names = [f.name for f in fields]
        if len(set(names)) != len(names):
            raise SchemaError(f"{where}: duplicate field names in {name}")
        tags = sorted(f.tag for f in fields if f.tag is not None)
        if tags != list(range(len(tags))):
            raise SchemaError(f"{where}: tags in {name} must be unique and contiguous from 0, got {tags}")
        struct = Struct(name=name, versions=versions, fields=fields, is_common=is_common, where=where)
        if not is_root:
            self.structs[name] = struct
        self.order.append(struct)
        return struct

    def _field(self, raw: RawField, parent_versions: Versions) -> Field:
        where = raw.where
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", raw.name):
            raise SchemaError(f"{where}: field names are letters and digits, starting with a letter")
        ftype = FieldType.parse(raw.type, where)
        if raw.versions is None:
            raise SchemaError(f"{where}: missing 'versions'")
        versions = Versions.parse(raw.versions, where)
        if versions.empty:
            raise SchemaError(f"{where}: a field needs at least one version")
        nullable = Versions.parse(raw.nullable_versions, where) if raw.nullable_versions else NO_VERSIONS
        if not nullable.empty and not (ftype.is_array or ftype.is_struct
                                       or ftype.name in ("string", "bytes", "records")):
            raise SchemaError(f"{where}: {ftype} cannot be nullable")
        tagged = Versions.parse(raw.tagged_versions, where) if raw.tagged_versions else NO_VERSIONS
        if (raw.tag is None) != tagged.empty:
            raise SchemaError(f"{where}: 'tag' and 'taggedVersions' go together")
        if raw.tag is not None:
            if raw.tag < 0:
                raise SchemaError(f"{where}: negative tag")
            if not tagged.open_ended:
                raise SchemaError(f"{where}: taggedVersions must be open-ended")
            if not self.flexible.contains(tagged):
                raise SchemaError(f"{where}: a tagged field needs flexible versions")
            if not versions.contains(tagged):
                raise SchemaError(f"{where}: taggedVersions outside versions")
        field_flexible = None
        if raw.flexible_versions is not None:
            if ftype.name not in ("string", "bytes") or ftype.is_array:
                raise SchemaError(f"{where}: a per-field flexibleVersions applies to strings and bytes only")
            field_flexible = Versions.parse(raw.flexible_versions, where)
        if raw.zero_copy and ftype.name != "bytes":
            raise SchemaError(f"{where}: zeroCopy applies to bytes only")
        default, explicit = _parse_default(raw, ftype, nullable, versions, where)
        result = Field(
            name=raw.name, type=ftype, versions=versions, nullable_versions=nullable,
            tagged_versions=tagged, tag=raw.tag, default=default, default_is_explicit=explicit,
            ignorable=raw.ignorable, map_key=raw.map_key, entity_type=raw.entity_type,
            zero_copy=raw.zero_copy, flexible_versions=field_flexible, about=raw.about, where=where,
        )
        if ftype.is_struct:
            if raw.fields is not None:
                if ftype.name in self.common_raw:
                    raise SchemaError(f"{where}: '{ftype.name}' is a common struct and cannot be redefined")
                result.struct = self._struct(ftype.name, versions, raw.fields, where)
            elif ftype.name in self.common_raw:
                self.used_common.add(ftype.name)
                result.struct = self._common(ftype.name)
            else:
                raise SchemaError(f"{where}: unknown struct type '{ftype.name}'")
        elif raw.fields is not None:
            raise SchemaError(f"{where}: a {ftype} field cannot have 'fields'")
        return result


def build_message(raw: RawMessage) -> Message:
    return _Builder(raw).build()
