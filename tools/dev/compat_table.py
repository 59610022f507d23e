#!/usr/bin/env python3
"""Builds the README's client compatibility table from the last run of the
client compatibility suite (integration/compat_test.cc), which leaves one
file per client in <build>/compat/.

  tools/dev/compat_table.py [build/release]            print the table
  tools/dev/compat_table.py [build/release] --update   rewrite it in README.md

A cell is "yes" when the client did the step, "n/a, <how>" when the client
cannot do it itself and the scenario did it another way (kcat has no admin
API), "FAIL" when the step failed, and a skipped client says why.
"""
import datetime
import pathlib
import sys

STEPS = [
    ("metadata", "Metadata"),
    ("create_topic", "Create topic"),
    ("produce", "Produce 1,000 keyed, with headers"),
    ("consume_group", "Consume in a group (order, content)"),
    ("commit_offsets", "Commit and read offsets"),
    ("second_member", "Second member joins"),
    ("delete_topic", "Delete topic"),
]
ORDER = ["librdkafka", "kcat", "confluent_kafka_python", "kafka_python", "kafkajs", "platformatic_kafka", "sarama"]
BEGIN = "<!-- compat-table:begin (tools/dev/compat_table.py --update) -->"
END = "<!-- compat-table:end -->"


def read(directory):
    rows = []
    files = {p.stem: p for p in directory.glob("*.txt")}
    for name in ORDER + sorted(set(files) - set(ORDER)):
        if name not in files:
            continue
        lines = files[name].read_text(encoding="utf-8").splitlines()
        if lines and lines[0].startswith("skipped "):
            rows.append((name, None, lines[0][len("skipped "):]))
            continue
        client = next((line.split(" ", 2)[1:] for line in lines if line.startswith("client ")), [name, "?"])
        cells = {}
        for line in lines:
            if not line.startswith("step "):
                continue
            parts = line.split(" ", 3)
            step, status = parts[1], parts[2] if len(parts) > 2 else "FAIL"
            note = parts[3] if len(parts) > 3 else ""
            if status == "ok":
                cells[step] = "yes"
            elif status == "n/a":
                # "n/a <why>; <how it was done instead>": show the how.
                cells[step] = "n/a, " + note.split(";", 1)[-1].strip()
            else:
                cells[step] = "FAIL"
        label = f"{client[0]} {client[1] if len(client) > 1 else ''}".strip()
        rows.append((name, label, cells))
    return rows


def table(rows):
    out = ["| Client | " + " | ".join(title for _, title in STEPS) + " |",
           "|---" * (len(STEPS) + 1) + "|"]
    skipped = []
    for name, label, cells in rows:
        if label is None:
            out.append(f"| {name} | " + " | ".join(["skipped"] * len(STEPS)) + " |")
            skipped.append(f"- {name} was skipped: {cells}")
            continue
        out.append(f"| {label} | " + " | ".join(cells.get(step, "not run") for step, _ in STEPS) + " |")
    out.append("")
    if skipped:
        out.extend(skipped + [""])
    out.append(f"Generated from the suite's run of {datetime.date.today().isoformat()} "
               "(`ctest --preset release -L compat`, then `tools/dev/compat_table.py --update`).")
    return "\n".join(out)


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    build = pathlib.Path(args[0] if args else "build/release")
    rows = read(build / "compat")
    if not rows:
        print(f"no results in {build / 'compat'}: run ctest -L compat first", file=sys.stderr)
        return 1
    text = table(rows)
    if "--update" not in sys.argv:
        print(text)
        return 0
    readme = pathlib.Path(__file__).resolve().parents[2] / "README.md"
    content = readme.read_text(encoding="utf-8")
    if BEGIN not in content or END not in content:
        print(f"README.md has no {BEGIN} ... {END} section", file=sys.stderr)
        return 1
    head, rest = content.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    readme.write_text(head + BEGIN + "\n" + text + "\n" + END + tail, encoding="utf-8")
    print(f"updated {readme}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
