"""Cross-checks Brook's protocol/ against Kafka's reference schema set.

1. The generator accepts every reference schema file unchanged.
2. Every message both sets define agrees field by field: types, versions,
   nullable and tagged versions, tags, defaults, ignorable, mapKey, entityType,
   and at message level validVersions, flexibleVersions, apiKey and listeners
   (Kafka 4.x dropped the zkBroker listener, so ours omit it).
3. Every request/response of the APIs Brook serves exists in protocol/.

Exits 77 (reported by ctest as skipped) when the reference set is absent.
"""

import os
import sys
import tempfile
import unittest
from pathlib import Path

SOURCE = Path(os.environ.get("BROOK_SOURCE_DIR", Path(__file__).resolve().parents[2]))
REFERENCE = Path(os.environ.get("BROOK_REFERENCE_SCHEMAS", SOURCE.parent / "shared" / "reference" / "kafka-schemas"))
sys.path.insert(0, str(SOURCE / "codegen"))

import generate  # noqa: E402
from brook_codegen.model import Field, Message, Struct  # noqa: E402

SERVED_KEYS = set(range(0, 4)) | set(range(8, 38)) | set(range(42, 76)) | {80, 81, 82}


def load_all(root: Path) -> dict[str, Message]:
    dirs = sorted(p for p in root.iterdir() if p.is_dir())
    return {m.name: m for m in generate.load(dirs)}


def describe_field(field: Field) -> dict:
    return {
        "type": str(field.type), "versions": str(field.versions),
        "nullableVersions": str(field.nullable_versions), "taggedVersions": str(field.tagged_versions),
        "tag": field.tag, "default": field.default, "ignorable": field.ignorable,
        "mapKey": field.map_key, "entityType": field.entity_type,
        "flexibleVersions": str(field.flexible_versions) if field.flexible_versions else None,
    }


class ReferenceTest(unittest.TestCase):
    ours: dict[str, Message] = {}
    theirs: dict[str, Message] = {}

    @classmethod
    def setUpClass(cls):
        cls.ours = load_all(SOURCE / "protocol")
        cls.theirs = load_all(REFERENCE)

    def test_generator_accepts_every_reference_file(self):
        """Parse, model and emit (with tables and test support) the whole reference set."""
        dirs = [str(p) for p in sorted(REFERENCE.iterdir()) if p.is_dir()]
        with tempfile.TemporaryDirectory() as out:
            self.assertEqual(generate.main(["--out", out, "--testing"] + dirs), 0)
        self.assertEqual(len(self.theirs), sum(1 for d in dirs for _ in Path(d).glob("*.json")))

    def test_served_apis_present(self):
        for kind in ("request", "response"):
            keys = {m.api_key for m in self.ours.values() if m.type == kind}
            self.assertEqual(keys, SERVED_KEYS, kind)

    def compare_struct(self, ours: Struct, theirs: Struct, where: str):
        self.assertEqual([f.name for f in ours.fields], [f.name for f in theirs.fields], where)
        for mine, reference in zip(ours.fields, theirs.fields):
            here = f"{where}.{mine.name}"
            self.assertEqual(describe_field(mine), describe_field(reference), here)
            if mine.struct is not None:
                self.assertEqual(mine.struct.name, reference.struct.name, here)
                self.assertEqual(str(mine.struct.versions), str(reference.struct.versions), here)
                self.compare_struct(mine.struct, reference.struct, here)

    def test_field_by_field(self):
        common = sorted(set(self.ours) & set(self.theirs))
        self.assertGreater(len(common), 190)
        for name in common:
            with self.subTest(name):
                ours, theirs = self.ours[name], self.theirs[name]
                self.assertEqual(ours.type, theirs.type)
                self.assertEqual(ours.api_key, theirs.api_key)
                self.assertEqual(str(ours.valid_versions), str(theirs.valid_versions))
                self.assertEqual(str(ours.flexible_versions), str(theirs.flexible_versions))
                self.assertEqual(str(ours.deprecated_versions), str(theirs.deprecated_versions))
                self.assertEqual(ours.latest_version_unstable, theirs.latest_version_unstable)
                self.assertEqual(ours.listeners, [l for l in theirs.listeners if l != "zkBroker"])
                self.compare_struct(ours.root, theirs.root, name)

    def test_only_known_extras(self):
        """Everything in protocol/ exists in the reference set (we invent no messages)."""
        self.assertEqual(sorted(set(self.ours) - set(self.theirs)), [])


if __name__ == "__main__":
    if not REFERENCE.is_dir():
        print(f"SKIPPED: reference schema directory {REFERENCE} is absent; nothing to cross-check.")
        sys.exit(77)
    unittest.main(verbosity=2)
