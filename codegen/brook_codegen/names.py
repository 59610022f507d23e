"""C++ names for schema names."""

from __future__ import annotations

import re

CPP_KEYWORDS = {
    "alignas", "alignof", "and", "asm", "auto", "bool", "break", "case", "catch", "char",
    "class", "concept", "const", "consteval", "constexpr", "constinit", "continue", "default",
    "delete", "do", "double", "else", "enum", "explicit", "export", "extern", "false", "float",
    "for", "friend", "goto", "if", "inline", "int", "long", "mutable", "namespace", "new",
    "noexcept", "not", "operator", "or", "private", "protected", "public", "register",
    "requires", "return", "short", "signed", "sizeof", "static", "struct", "switch",
    "template", "this", "throw", "true", "try", "typedef", "typename", "union", "unsigned",
    "using", "virtual", "void", "volatile", "while", "xor",
}
# Members every generated struct declares, and those only a message's top-level
# struct declares; a field may not take these names.
RESERVED_MEMBERS = {"read", "write", "size", "unknown_tagged_fields",
                    # parameters and locals of the generated functions
                    "version", "r", "w", "item", "items", "item_count", "item_index", "tag",
                    "tag_size", "tag_reader", "tag_index", "tagged_count", "tagged_writer",
                    "total", "value_size", "sum", "rng", "randomized"}
RESERVED_TOP_LEVEL_MEMBERS = {"decode", "encode", "api_key", "lowest_version", "highest_version",
                              "lowest_flexible_version", "supports_version", "is_flexible_version",
                              "message_name"}


def snake_case(name: str) -> str:
    text = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", text)
    return text.lower()


def member_name(field_name: str, top_level: bool = False) -> str:
    """A field's C++ member name: snake_case, with a trailing underscore where
    the name would collide with a keyword or a generated member (FetchSnapshot's
    `Size` becomes `size_`)."""
    name = snake_case(field_name)
    if name in CPP_KEYWORDS or name in RESERVED_MEMBERS or (top_level and name in RESERVED_TOP_LEVEL_MEMBERS):
        name += "_"
    return name


def file_stem(message_name: str) -> str:
    return snake_case(message_name)
