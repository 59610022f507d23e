"""Emits one C++ header and one source file per message.

Each struct gets read/write/size for a runtime version. The generated code
branches on flexible versions once, and inside each branch drops every version
guard the branch already implies, so most fields are read and written with no
test at all.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from .model import INTEGERS, Field, FieldType, Message, Struct, Versions, NO_VERSIONS
from .names import file_stem, member_name

PRIMITIVE_CPP = {
    "bool": "bool", "int8": "std::int8_t", "int16": "std::int16_t", "uint16": "std::uint16_t",
    "int32": "std::int32_t", "uint32": "std::uint32_t", "int64": "std::int64_t",
    "float64": "double", "string": "std::string", "bytes": "wire::bytes", "uuid": "wire::uuid",
    "records": "wire::record_set",
}
FIXED_SIZE = {"bool": 1, "int8": 1, "int16": 2, "uint16": 2, "int32": 4, "uint32": 4,
              "int64": 8, "float64": 8, "uuid": 16}
READ_FIXED = {"bool": "read_bool", "int8": "read_int8", "int16": "read_int16",
              "uint16": "read_uint16", "int32": "read_int32", "uint32": "read_uint32",
              "int64": "read_int64", "float64": "read_float64", "uuid": "read_uuid"}
WRITE_FIXED = {k: "write_" + v[len("read_"):] for k, v in READ_FIXED.items()}


def element_cpp(ftype: FieldType) -> str:
    return ftype.name if ftype.is_struct else PRIMITIVE_CPP[ftype.name]


def field_cpp(field: Field) -> str:
    base = element_cpp(field.type)
    cpp = f"std::vector<{base}>" if field.type.is_array else base
    if field.nullable and field.type.name != "records":
        cpp = f"std::optional<{cpp}>"
    return cpp


def cpp_integer(value: int, type_name: str) -> str:
    low, _ = INTEGERS[type_name]
    if value == low and type_name in ("int32", "int64"):
        return f"std::numeric_limits<{PRIMITIVE_CPP[type_name]}>::min()"
    suffix = "LL" if type_name == "int64" else ("U" if type_name.startswith("uint") else "")
    return f"{value}{suffix}"


def default_initializer(field: Field) -> str:
    """The C++ default member initializer, empty when value-initialisation is right."""
    value = field.default
    ftype = field.type
    if value is None:
        return ""                       # null: optional and record_set default to null
    if ftype.is_array:
        return f" = {field_cpp(field)}{{std::in_place}}" if field.nullable else ""
    if ftype.is_struct:
        return f"{{std::in_place}}" if field.nullable else ""
    name = ftype.name
    if name in INTEGERS:
        return f" = {cpp_integer(value, name)}" if value != 0 else ""
    if name == "bool":
        return " = true" if value else ""
    if name == "float64":
        return f" = {value!r}" if value != 0.0 else ""
    if name == "string":
        if value == "" and not field.nullable:
            return ""
        return f" = std::string({json.dumps(value)})"
    if name in ("bytes",):
        return " = wire::bytes{}" if field.nullable else ""
    return ""


def default_expression(field: Field) -> str:
    """An expression equal to the field's default, for 'differs from default' tests."""
    value = field.default
    ftype = field.type
    if ftype.name == "records":
        return ""
    if value is None:
        return "std::nullopt"
    if ftype.is_array or ftype.is_struct or ftype.name == "bytes":
        return field_cpp(field) + ("{std::in_place}" if field.nullable else "{}")
    if ftype.name in INTEGERS:
        return cpp_integer(value, ftype.name)
    if ftype.name == "bool":
        return "true" if value else "false"
    if ftype.name == "float64":
        return repr(float(value))
    if ftype.name == "string":
        return f"std::string_view({json.dumps(value)})" if not field.nullable else f"std::string({json.dumps(value)})"
    if ftype.name == "uuid":
        return "wire::uuid{}"
    raise AssertionError(ftype)


def differs_from_default(field: Field, expr: str) -> str:
    if field.type.name == "records":
        return f"!{expr}.is_null()"
    if field.type.is_array and not field.nullable:
        return f"!{expr}.empty()"
    if field.type.name in ("string", "bytes") and not field.nullable and field.default == "":
        return f"!{expr}.empty()"
    if field.nullable and field.default is None:
        return f"{expr}.has_value()"
    return f"{expr} != {default_expression(field)}"


def version_test(versions: Versions, within: Versions) -> str | None:
    """A C++ test for `version in versions`, given that version is in `within`.
    None means always true there; "false" means never."""
    inside = versions.intersect(within)
    if inside.empty:
        return "false"
    if inside == within:
        return None
    tests = []
    if inside.lowest > within.lowest:
        tests.append(f"version >= {inside.lowest}")
    if inside.highest < within.highest:
        tests.append(f"version <= {inside.highest}")
    return " && ".join(tests)


def static_or_runtime(versions: Versions, within: Versions) -> str:
    test = version_test(versions, within)
    return "true" if test is None else test if test == "false" else f"({test})"


@dataclass
class Context:
    message: Message

    def compact(self, field: Field, within: Versions) -> str:
        """Whether the field uses compact encoding, for versions in `within`."""
        flexible = field.flexible_versions if field.flexible_versions is not None else self.message.flexible_versions
        return static_or_runtime(flexible, within)


class Emitter:
    def __init__(self, message: Message):
        self.message = message
        self.ctx = Context(message)
        self.stem = file_stem(message.name)
        self.qualified: dict[str, str] = {}
        for struct in message.structs:
            self.qualified[struct.name] = (message.name if struct is message.root
                                           else f"{message.name}::{struct.name}")

    def member(self, field: Field) -> str:
        top_level = any(f is field for f in self.message.root.fields)
        return member_name(field.name, top_level)

    # ---------------------------------------------------------------- header
    def header(self) -> str:
        m = self.message
        out = [
            "// Generated by Brook's codegen from " + m.path.split("/protocol/")[-1] + ". Do not edit.",
            "#pragma once",
            "",
            "#include <cstdint>",
            "#include <limits>",
            "#include <optional>",
            "#include <string>",
            "#include <string_view>",
            "#include <vector>",
            "",
            '#include "brook/wire/codec.h"',
            "",
            "namespace brook::messages {",
            "",
        ]
        out += self._struct_declaration(m.root, top=True)
        out += ["", "}  // namespace brook::messages", ""]
        return "\n".join(out)

    def _field_comment(self, field: Field) -> str:
        parts = [f"versions {field.versions}"]
        if field.nullable:
            parts.append(f"nullable {field.nullable_versions}")
        if field.is_tagged:
            parts.append(f"tag {field.tag} in {field.tagged_versions}")
        if field.ignorable:
            parts.append("ignorable")
        about = field.about.strip()
        return f"// {about + ' ' if about else ''}({', '.join(parts)})"

    def _struct_declaration(self, struct: Struct, top: bool) -> list[str]:
        m = self.message
        ind = "    "
        out = []
        if top:
            out.append(f"// {m.type} {m.name}: versions {m.valid_versions}, flexible {m.flexible_versions}.")
        out.append(f"struct {struct.name} {{")
        if top:
            api_key = m.api_key if m.api_key is not None else -1
            out += [
                f"{ind}static constexpr std::string_view message_name = \"{m.name}\";",
                f"{ind}static constexpr std::int16_t api_key = {api_key};",
                f"{ind}static constexpr std::int16_t lowest_version = {m.valid_versions.lowest};",
                f"{ind}static constexpr std::int16_t highest_version = {m.valid_versions.highest};",
                f"{ind}// -1 when no version is flexible.",
                f"{ind}static constexpr std::int16_t lowest_flexible_version = {m.lowest_flexible_version};",
                f"{ind}static constexpr bool supports_version(std::int16_t version) noexcept {{",
                f"{ind}    return version >= lowest_version && version <= highest_version;",
                f"{ind}}}",
                f"{ind}static constexpr bool is_flexible_version(std::int16_t version) noexcept {{",
                f"{ind}    return lowest_flexible_version >= 0 && version >= lowest_flexible_version;",
                f"{ind}}}",
                "",
            ]
            for nested in m.structs:
                if nested is struct:
                    continue
                out += [ind + line if line else "" for line in self._struct_declaration(nested, top=False)]
                out.append("")
        for field in struct.fields:
            out.append(f"{ind}{self._field_comment(field)}")
            out.append(f"{ind}{field_cpp(field)} {self.member(field)}{default_initializer(field) or '{}'};")
        out += [
            f"{ind}// Tagged fields this schema does not know, kept to be written back.",
            f"{ind}wire::unknown_tagged_fields unknown_tagged_fields;",
            "",
            f"{ind}// Reads and writes this struct at `version`; errors are recorded in the",
            f"{ind}// reader or writer (see wire/reader.h).",
            f"{ind}void read(wire::reader& r, std::int16_t version);",
            f"{ind}void write(wire::writer& w, std::int16_t version) const;",
            f"{ind}// The exact number of bytes write() produces at `version`.",
            f"{ind}std::size_t size(std::int16_t version) const;",
        ]
        if top:
            out += [
                f"{ind}// Decodes a whole message body; fails on an unsupported version.",
                f"{ind}// Decoded records fields point into the reader's buffer.",
                f"{ind}wire::errc decode(wire::reader& r, std::int16_t version);",
                f"{ind}// Encodes a whole message body; fails on an unsupported version, a",
                f"{ind}// non-default value in a field the version lacks, or an illegal null.",
                f"{ind}wire::errc encode(wire::writer& w, std::int16_t version) const;",
            ]
        out += [
            f"{ind}friend bool operator==(const {struct.name}&, const {struct.name}&) = default;",
            "};",
        ]
        return out

    # ---------------------------------------------------------------- source
    def source(self) -> str:
        m = self.message
        out = [
            "// Generated by Brook's codegen from " + m.path.split("/protocol/")[-1] + ". Do not edit.",
            f'#include "brook/messages/{self.stem}.h"',
            "",
            "namespace brook::messages {",
            "",
        ]
        for struct in m.structs:
            out += self._read(struct)
            out += self._write(struct)
            out += self._size(struct)
        q = m.name
        out += [
            f"wire::errc {q}::decode(wire::reader& r, std::int16_t version) {{",
            "    if (!supports_version(version)) return wire::errc::unsupported_version;",
            "    read(r, version);",
            "    return r.error();",
            "}",
            "",
            f"wire::errc {q}::encode(wire::writer& w, std::int16_t version) const {{",
            "    if (!supports_version(version)) {",
            "        w.fail(wire::errc::unsupported_version);",
            "        return w.error();",
            "    }",
            "    write(w, version);",
            "    return w.error();",
            "}",
            "",
            "}  // namespace brook::messages",
            "",
        ]
        return "\n".join(out)

    def _paths(self, struct: Struct) -> list[tuple[str | None, Versions, bool]]:
        """The flexible and non-flexible version ranges of a struct, each with
        the C++ test that selects it (None when there is only one path)."""
        valid = struct.versions.intersect(self.message.valid_versions)
        flexible = valid.intersect(self.message.flexible_versions)
        rigid = valid if flexible.empty else Versions(valid.lowest, flexible.lowest - 1)
        paths = []
        if not rigid.empty and rigid.lowest <= rigid.highest:
            paths.append((f"version < {flexible.lowest}" if not flexible.empty else None, rigid, False))
        if not flexible.empty:
            paths.append((f"version >= {flexible.lowest}" if paths else None, flexible, True))
        if len(paths) == 2:
            paths = [paths[1], (None, paths[0][1], False)]
        return paths

    @staticmethod
    def _emit_paths(paths, body) -> list[str]:
        out = []
        if len(paths) == 1:
            return body(paths[0][1], paths[0][2], "    ")
        test, within, flexible = paths[0]
        out.append(f"    if ({test}) {{")
        out += body(within, flexible, "        ")
        out.append("    } else {")
        out += body(paths[1][1], paths[1][2], "        ")
        out.append("    }")
        return out

    @staticmethod
    def _regular_versions(field: Field, within: Versions, flexible: bool) -> Versions:
        """Versions in `within` where the field is an ordinary (untagged) field."""
        present = field.versions.intersect(within)
        if field.is_tagged and flexible:
            tagged_from = field.tagged_versions.lowest
            present = present.intersect(Versions(0, tagged_from - 1))
        return present

    # read ---------------------------------------------------------------
    def _read(self, struct: Struct) -> list[str]:
        q = self.qualified[struct.name]
        out = [f"void {q}::read([[maybe_unused]] wire::reader& r, [[maybe_unused]] std::int16_t version) {{"]
        out += self._emit_paths(self._paths(struct), lambda within, flex, ind: self._read_body(struct, within, flex, ind))
        out += ["}", ""]
        return out

    def _read_body(self, struct: Struct, within: Versions, flexible: bool, ind: str) -> list[str]:
        out = []
        for field in struct.fields:
            regular = self._regular_versions(field, within, flexible)
            if regular.empty:
                continue
            test = version_test(regular, within)
            body = self._read_field(field, f"this->{self.member(field)}", regular, "r", ind + ("    " if test else ""))
            if test:
                out.append(f"{ind}if ({test}) {{")
                out += body
                out.append(f"{ind}}}")
            else:
                out += body
        if flexible:
            out += self._read_tagged(struct, within, ind)
        return out

    def _read_tagged(self, struct: Struct, within: Versions, ind: str) -> list[str]:
        tagged = [f for f in struct.tagged_fields() if not f.tagged_versions.intersect(within).empty]
        out = [
            f"{ind}const std::uint32_t tagged_count = r.read_unsigned_varint();",
            f"{ind}for (std::uint32_t tag_index = 0; tag_index < tagged_count && r.ok(); ++tag_index) {{",
            f"{ind}    const std::uint32_t tag = r.read_unsigned_varint();",
            f"{ind}    const std::uint32_t tag_size = r.read_unsigned_varint();",
            f"{ind}    wire::reader tag_reader = r.sub_reader(tag_size);",
            f"{ind}    if (!r.ok()) break;",
        ]
        if tagged:
            out.append(f"{ind}    switch (tag) {{")
            for field in tagged:
                versions = field.tagged_versions.intersect(within)
                test = version_test(versions, within)
                out.append(f"{ind}    case {field.tag}:")
                inner = ind + "        " + ("    " if test else "")
                body = self._read_field(field, f"this->{self.member(field)}", versions, "tag_reader", inner)
                body.append(f"{inner}wire::codec::finish_tagged_value(r, tag_reader);")
                body.append(f"{inner}continue;")
                if test:
                    out.append(f"{ind}        if ({test}) {{")
                    out += body
                    out.append(f"{ind}        }}")
                    out.append(f"{ind}        break;")
                else:
                    out += body
            out.append(f"{ind}    default:")
            out.append(f"{ind}        break;")
            out.append(f"{ind}    }}")
        out.append(f"{ind}    wire::codec::keep_unknown_tagged_field(unknown_tagged_fields, tag, tag_reader);")
        out.append(f"{ind}}}")
        return out

    def _read_field(self, field: Field, target: str, within: Versions, r: str, ind: str) -> list[str]:
        ftype = field.type
        compact = self.ctx.compact(field, within)
        nullable = static_or_runtime(field.nullable_versions, within)
        if ftype.is_array:
            element = element_cpp(ftype)
            min_size = self._min_element_size(field, within)
            out = [f"{ind}{{",
                   f"{ind}    const std::int64_t item_count = wire::codec::read_array_length({r}, {compact}, {min_size});"]
            if field.nullable:
                out.append(f"{ind}    if (item_count < 0) {{")
                if nullable != "true":
                    out.append(f"{ind}        if ({r}.ok() && !{nullable}) {r}.fail(wire::errc::unexpected_null);")
                out += [f"{ind}        {target}.reset();",
                        f"{ind}    }} else {{",
                        f"{ind}        auto& items = {target}.emplace();"]
            else:
                out += [f"{ind}    if (item_count < 0) {{",
                        f"{ind}        if ({r}.ok()) {r}.fail(wire::errc::unexpected_null);",
                        f"{ind}    }} else {{",
                        f"{ind}        auto& items = {target};",
                        f"{ind}        items.clear();"]
            out += [f"{ind}        items.reserve(static_cast<std::size_t>(item_count));",
                    f"{ind}        for (std::int64_t item_index = 0; item_index < item_count && {r}.ok(); ++item_index) {{"]
            if ftype.is_struct:
                out += [f"{ind}            {element}& item = items.emplace_back();",
                        f"{ind}            item.read({r}, version);"]
            else:
                out.append(f"{ind}            items.push_back({self._read_scalar(ftype.name, r, compact, True)});")
            out += [f"{ind}        }}", f"{ind}    }}", f"{ind}}}"]
            return out
        if ftype.is_struct:
            if field.nullable:
                out = [f"{ind}if ({r}.read_int8() < 0) {{"]
                if nullable != "true":
                    out.append(f"{ind}    if ({r}.ok() && !{nullable}) {r}.fail(wire::errc::unexpected_null);")
                out += [f"{ind}    {target}.reset();",
                        f"{ind}}} else {{",
                        f"{ind}    {target}.emplace().read({r}, version);",
                        f"{ind}}}"]
                return out
            return [f"{ind}{target}.read({r}, version);"]
        if ftype.name == "records":
            out = [f"{ind}{target} = wire::codec::read_records({r}, {compact});"]
            if nullable != "true":
                out.append(f"{ind}if ({target}.is_null() && {r}.ok() && !{nullable}) {r}.fail(wire::errc::unexpected_null);")
            return out
        if ftype.name in ("string", "bytes"):
            kind = ftype.name
            if not field.nullable or nullable == "false":
                return [f"{ind}{target} = wire::codec::read_{kind}({r}, {compact});"]
            out = [f"{ind}{target} = wire::codec::read_nullable_{kind}({r}, {compact});"]
            if nullable != "true":
                out.append(f"{ind}if (!{target} && {r}.ok() && !{nullable}) {r}.fail(wire::errc::unexpected_null);")
            return out
        return [f"{ind}{target} = {r}.{READ_FIXED[ftype.name]}();"]

    @staticmethod
    def _read_scalar(type_name: str, r: str, compact: str, in_array: bool) -> str:
        if type_name in READ_FIXED:
            return f"{r}.{READ_FIXED[type_name]}()"
        if type_name == "string":
            return f"wire::codec::read_string({r}, {compact})"
        if type_name == "bytes":
            return f"wire::codec::read_bytes({r}, {compact})"
        raise AssertionError(type_name)

    def _min_element_size(self, field: Field, within: Versions) -> int:
        ftype = field.type
        if not ftype.is_struct:
            return FIXED_SIZE.get(ftype.name, 1)
        flexible_part = within.intersect(self.message.flexible_versions)
        if flexible_part == within:
            return 1  # every struct ends with its tagged-field count
        # An old-version struct is empty only if no field is always there.
        for child in field.struct.fields:
            if not child.is_tagged and child.versions.contains(within):
                return 1
        return 0

    # write --------------------------------------------------------------
    def _write(self, struct: Struct) -> list[str]:
        q = self.qualified[struct.name]
        out = [f"void {q}::write([[maybe_unused]] wire::writer& w, [[maybe_unused]] std::int16_t version) const {{"]
        out += self._emit_paths(self._paths(struct), lambda within, flex, ind: self._write_body(struct, within, flex, ind))
        out += ["}", ""]
        return out

    def _absent_check(self, field: Field, absent: Versions, within: Versions, ind: str) -> list[str]:
        """Refuses a non-default value in versions that lack the field."""
        if field.ignorable or absent.empty:
            return []
        test = version_test(absent, within)
        condition = differs_from_default(field, f"this->{self.member(field)}")
        guard = f"({test}) && " if test else ""
        return [f"{ind}if ({guard}{condition}) w.fail(wire::errc::field_not_in_version);"]

    def _write_body(self, struct: Struct, within: Versions, flexible: bool, ind: str) -> list[str]:
        out = []
        for field in struct.fields:
            regular = self._regular_versions(field, within, flexible)
            present = field.versions.intersect(within)
            absent_ranges = self._subtract(within, present)
            for absent in absent_ranges:
                out += self._absent_check(field, absent, within, ind)
            if regular.empty:
                continue
            test = version_test(regular, within)
            body = self._write_field(field, f"this->{self.member(field)}", regular, ind + ("    " if test else ""))
            if test:
                out.append(f"{ind}if ({test}) {{")
                out += body
                out.append(f"{ind}}}")
            else:
                out += body
        if flexible:
            out += self._write_tagged(struct, within, ind)
        return out

    @staticmethod
    def _subtract(whole: Versions, part: Versions) -> list[Versions]:
        if part.empty:
            return [whole]
        pieces = []
        if part.lowest > whole.lowest:
            pieces.append(Versions(whole.lowest, part.lowest - 1))
        if part.highest < whole.highest:
            pieces.append(Versions(part.highest + 1, whole.highest))
        return pieces

    def _tagged_in(self, struct: Struct, within: Versions) -> list[Field]:
        return [f for f in struct.tagged_fields() if not f.tagged_versions.intersect(within).empty]

    def _write_tagged(self, struct: Struct, within: Versions, ind: str) -> list[str]:
        tagged = self._tagged_in(struct, within)
        out = []
        if not tagged:
            out.append(f"{ind}w.write_unsigned_varint(static_cast<std::uint32_t>(unknown_tagged_fields.size()));")
            out.append(f"{ind}wire::codec::tagged_field_writer(w, unknown_tagged_fields).finish();")
            return out
        out.append(f"{ind}std::uint32_t tagged_count = static_cast<std::uint32_t>(unknown_tagged_fields.size());")
        for field in tagged:
            versions = field.tagged_versions.intersect(within)
            test = version_test(versions, within)
            condition = differs_from_default(field, f"this->{self.member(field)}")
            out.append(f"{ind}const bool write_tag_{field.tag} = {'(' + test + ') && ' if test else ''}{condition};")
            out.append(f"{ind}tagged_count += write_tag_{field.tag} ? 1 : 0;")
        out.append(f"{ind}w.write_unsigned_varint(tagged_count);")
        out.append(f"{ind}wire::codec::tagged_field_writer tagged_writer(w, unknown_tagged_fields);")
        for field in tagged:
            versions = field.tagged_versions.intersect(within)
            target = f"this->{self.member(field)}"
            out.append(f"{ind}if (write_tag_{field.tag}) {{")
            out.append(f"{ind}    tagged_writer.before({field.tag});")
            out.append(f"{ind}    w.write_unsigned_varint({field.tag});")
            size_expr = self._size_field(field, target, versions)
            out.append(f"{ind}    w.write_unsigned_varint(static_cast<std::uint32_t>({size_expr}));")
            out += self._write_field(field, target, versions, ind + "    ")
            out.append(f"{ind}}}")
        out.append(f"{ind}tagged_writer.finish();")
        return out

    def _write_field(self, field: Field, target: str, within: Versions, ind: str) -> list[str]:
        ftype = field.type
        compact = self.ctx.compact(field, within)
        nullable = static_or_runtime(field.nullable_versions, within)
        null_guard = []
        if ftype.is_array:
            element_write = (f"item.write(w, version);" if ftype.is_struct
                             else self._write_scalar(ftype.name, "item", compact))
            if field.nullable:
                out = [f"{ind}if (!{target}) {{"]
                if nullable != "true":
                    out.append(f"{ind}    if (!{nullable}) w.fail(wire::errc::unexpected_null);")
                out += [f"{ind}    wire::codec::write_null_array(w, {compact});",
                        f"{ind}}} else if (wire::codec::write_array_length(w, {target}->size(), {compact})) {{",
                        f"{ind}    for (const auto& item : *{target}) {element_write}",
                        f"{ind}}}"]
                return out
            return [f"{ind}if (wire::codec::write_array_length(w, {target}.size(), {compact})) {{",
                    f"{ind}    for (const auto& item : {target}) {element_write}",
                    f"{ind}}}"]
        if ftype.is_struct:
            if field.nullable:
                out = [f"{ind}if (!{target}) {{"]
                if nullable != "true":
                    out.append(f"{ind}    if (!{nullable}) w.fail(wire::errc::unexpected_null);")
                out += [f"{ind}    w.write_int8(-1);",
                        f"{ind}}} else {{",
                        f"{ind}    w.write_int8(1);",
                        f"{ind}    {target}->write(w, version);",
                        f"{ind}}}"]
                return out
            return [f"{ind}{target}.write(w, version);"]
        if ftype.name == "records":
            if nullable != "true":
                null_guard = [f"{ind}if ({target}.is_null() && !{nullable}) w.fail(wire::errc::unexpected_null);"]
            return null_guard + [f"{ind}wire::codec::write_records(w, {target}, {compact});"]
        if ftype.name in ("string", "bytes"):
            kind = ftype.name
            if field.nullable:
                if nullable != "true":
                    null_guard = [f"{ind}if (!{target} && !{nullable}) w.fail(wire::errc::unexpected_null);"]
                return null_guard + [f"{ind}wire::codec::write_nullable_{kind}(w, {target}, {compact});"]
            return [f"{ind}wire::codec::write_{kind}(w, {target}, {compact});"]
        return [f"{ind}w.{WRITE_FIXED[ftype.name]}({target});"]

    @staticmethod
    def _write_scalar(type_name: str, expr: str, compact: str) -> str:
        if type_name in WRITE_FIXED:
            return f"w.{WRITE_FIXED[type_name]}({expr});"
        return f"wire::codec::write_{type_name}(w, {expr}, {compact});"

    # size ---------------------------------------------------------------
    def _size(self, struct: Struct) -> list[str]:
        q = self.qualified[struct.name]
        out = [f"std::size_t {q}::size([[maybe_unused]] std::int16_t version) const {{",
               "    std::size_t total = 0;"]
        out += self._emit_paths(self._paths(struct), lambda within, flex, ind: self._size_body(struct, within, flex, ind))
        out += ["    return total;", "}", ""]
        return out

    def _size_body(self, struct: Struct, within: Versions, flexible: bool, ind: str) -> list[str]:
        out = []
        for field in struct.fields:
            regular = self._regular_versions(field, within, flexible)
            if regular.empty:
                continue
            test = version_test(regular, within)
            expr = self._size_field(field, f"this->{self.member(field)}", regular)
            if test:
                out.append(f"{ind}if ({test}) total += {expr};")
            else:
                out.append(f"{ind}total += {expr};")
        if flexible:
            tagged = self._tagged_in(struct, within)
            out.append(f"{ind}std::size_t tagged_count = unknown_tagged_fields.size();")
            out.append(f"{ind}total += wire::codec::unknown_tagged_fields_size(unknown_tagged_fields);")
            for field in tagged:
                versions = field.tagged_versions.intersect(within)
                test = version_test(versions, within)
                target = f"this->{self.member(field)}"
                condition = differs_from_default(field, target)
                out.append(f"{ind}if ({'(' + test + ') && ' if test else ''}{condition}) {{")
                out.append(f"{ind}    const std::size_t value_size = {self._size_field(field, target, versions)};")
                out.append(f"{ind}    total += wire::unsigned_varint_size({field.tag}) + wire::unsigned_varint_size(value_size) + value_size;")
                out.append(f"{ind}    ++tagged_count;")
                out.append(f"{ind}}}")
            out.append(f"{ind}total += wire::unsigned_varint_size(tagged_count);")
        return out

    def _size_field(self, field: Field, target: str, within: Versions) -> str:
        ftype = field.type
        compact = self.ctx.compact(field, within)
        if ftype.is_array:
            if ftype.is_struct:
                items = f"[&] {{ std::size_t sum = 0; for (const auto& item : {{items}}) sum += item.size(version); return sum; }}()"
            elif ftype.name in FIXED_SIZE:
                items = f"{{items}}.size() * {FIXED_SIZE[ftype.name]}"
            else:
                items = (f"[&] {{ std::size_t sum = 0; for (const auto& item : {{items}}) "
                         f"sum += wire::codec::{ftype.name}_size(item, {compact}); return sum; }}()")
            if field.nullable:
                present = (f"wire::codec::array_length_size({target}->size(), {compact}) + "
                           + items.replace("{items}", f"(*{target})"))
                return f"({target} ? {present} : wire::codec::null_array_size({compact}))"
            return (f"(wire::codec::array_length_size({target}.size(), {compact}) + "
                    + items.replace("{items}", target) + ")")
        if ftype.is_struct:
            if field.nullable:
                return f"(1 + ({target} ? {target}->size(version) : 0))"
            return f"{target}.size(version)"
        if ftype.name == "records":
            return f"wire::codec::records_size({target}, {compact})"
        if ftype.name in ("string", "bytes"):
            prefix = "nullable_" if field.nullable else ""
            return f"wire::codec::{prefix}{ftype.name}_size({target}, {compact})"
        return str(FIXED_SIZE[ftype.name])
