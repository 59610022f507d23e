#!/usr/bin/env python3
"""Brook's schema code generator.

    generate.py --out DIR [--errors FILE] [--testing] SCHEMA_DIR...   write C++ into DIR
    generate.py --list-outputs [...same arguments...]                 print the files it would write
    generate.py --check SCHEMA_DIR...                                 parse and model only

SCHEMA_DIRs are folders of Kafka-format schema files. Files are written only
when their content changes, so an unchanged schema triggers no rebuild.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from brook_codegen import emit_cpp, emit_tables, emit_testing  # noqa: E402
from brook_codegen.model import Message, build_message  # noqa: E402
from brook_codegen.names import file_stem  # noqa: E402
from brook_codegen.parse import SchemaError, parse_file  # noqa: E402


def load(schema_dirs: list[Path]) -> list[Message]:
    messages = []
    names: dict[str, Path] = {}
    for directory in schema_dirs:
        files = sorted(directory.rglob("*.json"))
        if not files:
            raise SchemaError(f"{directory}: no schema files")
        for path in files:
            message = build_message(parse_file(path))
            if message.name in names:
                raise SchemaError(f"{path}: message {message.name} is also defined in {names[message.name]}")
            names[message.name] = path
            messages.append(message)
    return messages


def family_of(message: Message) -> str | None:
    """The framed-record family a schema belongs to, from its folder."""
    parts = Path(message.path).parts
    if message.type == "metadata" and "metadata" in parts:
        return "Metadata"
    if "consumer-offsets" in parts and message.name.endswith("Key"):
        return "ConsumerOffsets"
    if "transaction-state" in parts and message.name.endswith("Key"):
        return "TransactionState"
    return None


def outputs(messages: list[Message], errors: Path | None, testing: bool) -> dict[str, callable]:
    files: dict[str, callable] = {}
    for message in messages:
        stem = file_stem(message.name)
        emitter = emit_cpp.Emitter(message)
        files[f"include/brook/messages/{stem}.h"] = emitter.header
        files[f"src/{stem}.cc"] = emitter.source
        if testing:
            files[f"testing/brook/messages/testing/{stem}.h"] = lambda m=message: emit_testing.randomizer_header(m)
            files[f"testing/{stem}.cc"] = lambda m=message: emit_testing.randomizer_source(m)
    if any(m.type == "request" for m in messages):
        files["include/brook/messages/api_table.h"] = lambda: emit_tables.api_table_header(messages)
        files["src/api_table.cc"] = lambda: emit_tables.api_table_source(messages)
        files["include/brook/messages/dispatch.h"] = lambda: emit_tables.dispatch_header(messages)
        files["src/dispatch.cc"] = lambda: emit_tables.dispatch_source(messages)
    families: dict[str, list[Message]] = {}
    for message in messages:
        family = family_of(message)
        if family:
            families.setdefault(family, []).append(message)
    for family, members in sorted(families.items()):
        by = "api_key" if family == "Metadata" else "version"
        stem = file_stem(family)
        files[f"include/brook/messages/{stem}_records.h"] = (
            lambda f=family, ms=members, b=by: emit_tables.record_family_header(f, ms, b))
        files[f"src/{stem}_records.cc"] = (
            lambda f=family, ms=members, b=by: emit_tables.record_family_source(f, ms, b))
    if errors is not None:
        table = json.loads(errors.read_text(encoding="utf-8"))["errors"]
        emit_tables.validate_errors(table)
        files["include/brook/messages/error_codes.h"] = lambda: emit_tables.error_codes_header(table)
        files["src/error_codes.cc"] = lambda: emit_tables.error_codes_source(table)
    if testing:
        files["testing/brook/messages/testing/all_messages.h"] = lambda: emit_testing.all_messages_header(messages)
    return files


def write_if_changed(path: Path, text: str) -> None:
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("schema_dirs", nargs="+", type=Path)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--errors", type=Path)
    parser.add_argument("--testing", action="store_true", help="also write test-support randomizers")
    parser.add_argument("--list-outputs", action="store_true")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    try:
        messages = load(args.schema_dirs)
        if args.check:
            print(f"{len(messages)} schemas accepted")
            return 0
        files = outputs(messages, args.errors, args.testing)
        if args.list_outputs:
            print(";".join(sorted(files)))
            return 0
        if args.out is None:
            parser.error("--out is required")
        for relative, render in files.items():
            write_if_changed(args.out / relative, render())
    except (SchemaError, ValueError) as error:
        print(f"codegen: error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
