"""Strict intake and the version model of Brook's code generator."""

import os
import sys
import tempfile
import unittest
from pathlib import Path

SOURCE = Path(os.environ.get("BROOK_SOURCE_DIR", Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(SOURCE / "codegen"))

from brook_codegen.model import NO_VERSIONS, Versions, build_message  # noqa: E402
from brook_codegen.names import member_name, snake_case  # noqa: E402
from brook_codegen.parse import SchemaError, parse_text, strip_comments  # noqa: E402

BASE = """{
  "apiKey": 99, "type": "request", "name": "TestRequest",
  "validVersions": "0-3", "flexibleVersions": "2+",
  "fields": [ %s ]
}"""


def build(fields: str, base: str = BASE):
    return build_message(parse_text(base % fields, Path("test.json")))


class VersionsTest(unittest.TestCase):
    """Proves the one version type parses, intersects and contains correctly."""

    def test_parse(self):
        self.assertEqual(Versions.parse("3"), Versions(3, 3))
        self.assertEqual(Versions.parse("0-4"), Versions(0, 4))
        self.assertTrue(Versions.parse("9+").open_ended)
        self.assertTrue(Versions.parse("none").empty)
        for bad in ("", "a", "4-2", "-1", "1-", "+"):
            with self.assertRaises(SchemaError, msg=bad):
                Versions.parse(bad)

    def test_intersect_and_contains(self):
        self.assertEqual(Versions.parse("0-5").intersect(Versions.parse("3+")), Versions(3, 5))
        self.assertTrue(Versions.parse("0-2").intersect(Versions.parse("3+")).empty)
        self.assertTrue(Versions.parse("0+").contains(Versions.parse("4-7")))
        self.assertFalse(Versions.parse("1+").contains(Versions.parse("0-7")))
        self.assertTrue(Versions.parse("1-3").contains(NO_VERSIONS))
        self.assertEqual(str(Versions.parse("2+")), "2+")
        self.assertEqual(list(Versions.parse("1-3")), [1, 2, 3])


class StrictIntakeTest(unittest.TestCase):
    """Proves the generator refuses what it does not understand."""

    def test_unknown_keys_fail(self):
        with self.assertRaisesRegex(SchemaError, "unknown key"):
            build('{ "name": "A", "type": "int32", "versions": "0+", "typo": 1 }')
        with self.assertRaisesRegex(SchemaError, "unknown key"):
            parse_text('{"type": "data", "name": "X", "validVersions": "0", "flexibleVersions": "none", '
                       '"fields": [], "extra": true}', Path("x.json"))

    def test_comments_respect_strings(self):
        text = '{ "about": "a // b" } // trailing\n// whole line'
        self.assertEqual(strip_comments(text), '{ "about": "a // b" } \n')

    def test_bad_fields_fail(self):
        cases = {
            "unknown type": '{ "name": "A", "type": "int99", "versions": "0+" }',
            "cannot be nullable": '{ "name": "A", "type": "int32", "versions": "0+", "nullableVersions": "0+" }',
            "open-ended": '{ "name": "A", "type": "int32", "versions": "2+", "taggedVersions": "2-3", "tag": 0 }',
            "needs flexible": '{ "name": "A", "type": "int32", "versions": "0+", "taggedVersions": "0+", "tag": 0 }',
            "unknown struct": '{ "name": "A", "type": "[]Nowhere", "versions": "0+" }',
            "does not fit": '{ "name": "A", "type": "int8", "versions": "0+", "default": "300" }',
            "contiguous": '{ "name": "A", "type": "int32", "versions": "2+", "taggedVersions": "2+", "tag": 1 }',
            "go together": '{ "name": "A", "type": "int32", "versions": "2+", "tag": 0 }',
            "default null": '{ "name": "A", "type": "string", "versions": "0+", "nullableVersions": "1+", '
                            '"default": "null" }',
        }
        for expected, field in cases.items():
            with self.subTest(expected), self.assertRaisesRegex(SchemaError, expected):
                build(field)

    def test_duplicates_fail(self):
        with self.assertRaisesRegex(SchemaError, "duplicate field"):
            build('{ "name": "A", "type": "int32", "versions": "0+" }, '
                  '{ "name": "A", "type": "int64", "versions": "0+" }')
        with self.assertRaisesRegex(SchemaError, "defined twice"):
            build('{ "name": "A", "type": "[]S", "versions": "0+", "fields": [] }, '
                  '{ "name": "B", "type": "[]S", "versions": "0+", "fields": [] }')

    def test_defaults_parse(self):
        message = build('{ "name": "A", "type": "int32", "versions": "0+", "default": "0x7fffffff" }, '
                        '{ "name": "B", "type": "bool", "versions": "0+", "default": "False" }, '
                        '{ "name": "C", "type": "string", "versions": "1+", "nullableVersions": "1+", '
                        '"default": "null" }')
        self.assertEqual([f.default for f in message.root.fields], [0x7FFFFFFF, False, None])

    def test_string_tags_accepted(self):
        message = build('{ "name": "A", "type": "int32", "versions": "2+", "taggedVersions": "2+", "tag": "0" }')
        self.assertEqual(message.root.fields[0].tag, 0)


class NamesTest(unittest.TestCase):
    """Proves C++ names are snake_case and never collide with generated members."""

    def test_names(self):
        self.assertEqual(snake_case("ThrottleTimeMs"), "throttle_time_ms")
        self.assertEqual(snake_case("KRaftVersionRecord"), "k_raft_version_record")
        self.assertEqual(member_name("Size"), "size_")
        self.assertEqual(member_name("ApiKey"), "api_key")
        self.assertEqual(member_name("ApiKey", top_level=True), "api_key_")
        self.assertEqual(member_name("Default"), "default_")


class OwnSchemasTest(unittest.TestCase):
    """Proves the generator accepts protocol/ and writes one header and source per schema."""

    def test_protocol_generates(self):
        import generate
        dirs = [SOURCE / "protocol" / d for d in ("messages", "metadata", "coordinator", "raft")]
        with tempfile.TemporaryDirectory() as out:
            self.assertEqual(generate.main(["--out", out, "--errors", str(SOURCE / "protocol" / "error-codes.json"),
                                            "--testing"] + [str(d) for d in dirs]), 0)
            headers = list(Path(out, "include", "brook", "messages").glob("*.h"))
            schemas = [p for d in dirs for p in d.rglob("*.json")]
            # One header per schema, plus the tables (api, dispatch, errors, record families).
            self.assertEqual(len(headers), len(schemas) + 6)


if __name__ == "__main__":
    unittest.main(verbosity=2)
