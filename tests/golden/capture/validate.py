#!/usr/bin/python3
"""validate: check the golden frame files and print a coverage table.

Usage: validate.py [GOLDEN_DIR]   (default: the directory above this script)

For every <client>/<NN>-<Api>-v<V>-(request|response)[-N].bin file:
  * the name matches what tests/messages/golden_test.cc picks up;
  * a request's header carries the api key and version of its name;
  * a response starts with the correlation id of the request of the same
    name (a response without its request is an error);
  * the whole frame (header and body) decodes with a small schema-driven
    decoder over the JSON message specs in protocol/messages/, with no byte
    left over: this catches TCP reassembly mistakes and off-spec encodings
    before the C++ golden test sees them. Record batches inside `records`
    fields are walked and their CRCs checked.
Exits 1 if anything fails. Standard library only.
"""
import collections
import json
import os
import re
import struct
import sys
import zlib

NAME_RE = re.compile(r"(\d+)-([A-Za-z]+)-v(\d+)-(request|response)(-\d+)?\.bin")
REQUIRED = ["Produce", "Fetch", "ListOffsets", "Metadata", "OffsetCommit", "OffsetFetch",
            "FindCoordinator", "JoinGroup", "Heartbeat", "LeaveGroup", "SyncGroup",
            "ApiVersions", "CreateTopics", "DeleteTopics", "InitProducerId"]
MUST_COVER = {"ApiVersions", "Metadata", "Produce", "Fetch", "FindCoordinator", "JoinGroup",
              "SyncGroup", "OffsetCommit", "OffsetFetch", "CreateTopics"}


class DecodeError(Exception):
    pass


# ---------------------------------------------------------------- specs ---

def load_json(path):
    with open(path) as f:
        text = "\n".join(l for l in f if not l.lstrip().startswith("//"))
    return json.loads(text)


def in_range(version, spec):
    if spec is None or spec == "none":
        return False
    if spec.endswith("+"):
        return version >= int(spec[:-1])
    if "-" in spec:
        lo, hi = spec.split("-")
        return int(lo) <= version <= int(hi)
    return version == int(spec)


class Specs:
    def __init__(self, messages_dir):
        self.by_key = {}
        self.headers = {}
        for name in os.listdir(messages_dir):
            if not name.endswith(".json"):
                continue
            spec = load_json(os.path.join(messages_dir, name))
            if spec.get("type") in ("request", "response"):
                self.by_key[(spec["apiKey"], spec["type"])] = spec
            elif spec.get("type") == "header":
                self.headers[spec["name"]] = spec

    def flexible(self, api_key, version):
        spec = self.by_key[(api_key, "request")]
        return in_range(version, spec.get("flexibleVersions"))

    def request_header_version(self, api_key, version):
        if api_key == 7 and version == 0:  # ControlledShutdown v0
            return 0
        return 2 if self.flexible(api_key, version) else 1

    def response_header_version(self, api_key, version):
        if api_key == 18:  # ApiVersions responses always use header v0
            return 0
        return 1 if self.flexible(api_key, version) else 0


# -------------------------------------------------------------- decoder ---

class Reader:
    def __init__(self, buf):
        self.buf, self.off = buf, 0

    def take(self, n):
        if self.off + n > len(self.buf):
            raise DecodeError("read past the end at offset %d (+%d of %d)"
                              % (self.off, n, len(self.buf)))
        b = self.buf[self.off:self.off + n]
        self.off += n
        return b

    def fmt(self, f):
        return struct.unpack(">" + f, self.take(struct.calcsize(">" + f)))[0]

    def uvarint(self):
        shift = value = 0
        while True:
            b = self.take(1)[0]
            value |= (b & 0x7F) << shift
            if not b & 0x80:
                return value
            shift += 7
            if shift > 35:
                raise DecodeError("uvarint too long")


PRIMITIVES = {"bool": "?", "int8": "b", "int16": "h", "uint16": "H", "int32": "i",
              "uint32": "I", "int64": "q", "float64": "d"}


class Decoder:
    def __init__(self, common_structs, version, flexible):
        self.common = {s["name"]: s for s in common_structs or []}
        self.version, self.flexible = version, flexible

    def length(self, r, flexible, wide):
        """Returns a length or count; -1 for null."""
        if flexible:
            return r.uvarint() - 1
        return r.fmt("i" if wide else "h")

    def field_flexible(self, field):
        return self.flexible and field.get("flexibleVersions") != "none"

    def value(self, r, field, ftype):
        flexible = self.field_flexible(field)
        nullable = in_range(self.version, field.get("nullableVersions"))
        if ftype in PRIMITIVES:
            return r.fmt(PRIMITIVES[ftype])
        if ftype == "uuid":
            return r.take(16).hex()
        if ftype in ("string", "bytes", "records"):
            n = self.length(r, flexible, ftype != "string")
            if n < 0:
                if not nullable:
                    raise DecodeError("null %s for non-nullable %s" % (ftype, field["name"]))
                return None
            data = r.take(n)
            if ftype == "string":
                return data.decode("utf-8")
            if ftype == "records":
                check_records(data)
            return data
        if ftype.startswith("[]"):
            n = self.length(r, flexible, True)
            if n < 0:
                if not nullable:
                    raise DecodeError("null array for non-nullable %s" % field["name"])
                return None
            inner = ftype[2:]
            return [self.value(r, field, inner) for _ in range(n)]
        # a struct: inline fields or a common struct
        fields = field.get("fields")
        if fields is None:
            if ftype not in self.common:
                raise DecodeError("unknown type %s" % ftype)
            fields = self.common[ftype]["fields"]
        return self.struct(r, fields)

    def struct(self, r, fields):
        out = {}
        tagged = {}
        for field in fields:
            if not in_range(self.version, field.get("versions")):
                continue
            if self.flexible and in_range(self.version, field.get("taggedVersions")):
                tagged[field["tag"]] = field
                continue
            out[field["name"]] = self.value(r, field, field["type"])
        if self.flexible:
            for _ in range(r.uvarint()):
                tag, size = r.uvarint(), r.uvarint()
                data = r.take(size)
                if tag in tagged:
                    sub = Reader(data)
                    out[tagged[tag]["name"]] = self.value(sub, tagged[tag], tagged[tag]["type"])
                    if sub.off != len(data):
                        raise DecodeError("tagged field %d: %d bytes left over"
                                          % (tag, len(data) - sub.off))
        return out


def crc32c(data, _table=[]):
    if not _table:
        for i in range(256):
            c = i
            for _ in range(8):
                c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
            _table.append(c)
    crc = 0xFFFFFFFF
    for b in data:
        crc = _table[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def check_records(data):
    """Walks record batches (magic 2) or message sets (magic 0/1); checks CRCs.
    A partial batch at the end is allowed (Fetch may cut one off)."""
    off = 0
    while off + 17 <= len(data):
        length = struct.unpack_from(">i", data, off + 8)[0]
        if off + 12 + length > len(data):
            return  # truncated trailing batch: legal in Fetch responses
        magic = data[off + 16]
        if magic == 2:
            crc = struct.unpack_from(">I", data, off + 17)[0]
            if crc32c(data[off + 21:off + 12 + length]) != crc:
                raise DecodeError("record batch CRC mismatch at offset %d" % off)
        elif magic in (0, 1):
            crc = struct.unpack_from(">I", data, off + 12)[0]
            if zlib.crc32(data[off + 16:off + 12 + length]) & 0xFFFFFFFF != crc:
                raise DecodeError("message CRC mismatch at offset %d" % off)
        else:
            raise DecodeError("unknown record magic %d" % magic)
        off += 12 + length


def decode_frame(specs, api_key, version, frame, is_request):
    """Decodes header and body; returns the header dict."""
    kind = "request" if is_request else "response"
    spec = specs.by_key.get((api_key, kind))
    if spec is None:
        raise DecodeError("no spec for api key %d" % api_key)
    if not in_range(version, spec["validVersions"]):
        raise DecodeError("version %d outside validVersions %s" % (version, spec["validVersions"]))
    r = Reader(frame)
    if is_request:
        hv = specs.request_header_version(api_key, version)
        hspec = specs.headers["RequestHeader"]
    else:
        hv = specs.response_header_version(api_key, version)
        hspec = specs.headers["ResponseHeader"]
    hdr = Decoder(None, hv, in_range(hv, hspec.get("flexibleVersions"))).struct(r, hspec["fields"])
    body = Decoder(spec.get("commonStructs"), version,
                   in_range(version, spec.get("flexibleVersions"))).struct(r, spec["fields"])
    if r.off != len(frame):
        raise DecodeError("%d bytes left over after the body" % (len(frame) - r.off))
    return hdr, body


# ----------------------------------------------------------------- main ---

def main():
    golden = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                             os.path.join(os.path.dirname(__file__), ".."))
    repo = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))
    specs = Specs(os.path.join(repo, "protocol", "messages"))

    failures = []
    coverage = collections.defaultdict(lambda: collections.defaultdict(set))
    names = {}
    files = 0
    for client in sorted(os.listdir(golden)):
        cdir = os.path.join(golden, client)
        if client == "capture" or not os.path.isdir(cdir):
            continue
        for fname in sorted(os.listdir(cdir)):
            if not fname.endswith(".bin"):
                continue
            files += 1
            path = "%s/%s" % (client, fname)
            m = NAME_RE.fullmatch(fname)
            if not m:
                failures.append("%s: name does not match the golden pattern" % path)
                continue
            api_key, api_name, version = int(m.group(1)), m.group(2), int(m.group(3))
            is_request = m.group(4) == "request"
            with open(os.path.join(cdir, fname), "rb") as f:
                frame = f.read()
            try:
                hdr, _ = decode_frame(specs, api_key, version, frame, is_request)
                if is_request:
                    if (hdr["RequestApiKey"], hdr["RequestApiVersion"]) != (api_key, version):
                        raise DecodeError("header says api %d v%d" % (
                            hdr["RequestApiKey"], hdr["RequestApiVersion"]))
                    coverage[client][api_name].add(version)
                    names[api_name] = api_key
                else:
                    req_path = os.path.join(cdir, fname.replace("-response", "-request"))
                    if not os.path.exists(req_path):
                        raise DecodeError("no matching request file")
                    with open(req_path, "rb") as f:
                        req_corr = struct.unpack_from(">i", f.read(), 4)[0]
                    if hdr["CorrelationId"] != req_corr:
                        raise DecodeError("correlation id %d != request's %d"
                                          % (hdr["CorrelationId"], req_corr))
            except (DecodeError, struct.error, UnicodeDecodeError, KeyError) as exc:
                failures.append("%s: %s" % (path, exc))

    # Coverage table: client x API, with versions (r = request file only).
    clients = sorted(coverage)
    apis = sorted(set(REQUIRED) | {a for c in clients for a in coverage[c]},
                  key=lambda a: names.get(a, 999))
    def cell(client, api):
        vs = sorted(coverage[client].get(api, ()))
        if not vs:
            return "-"
        out = []
        for v in vs:
            stem = "%02d-%s-v%d-response.bin" % (names[api], api, v)
            paired = os.path.exists(os.path.join(golden, client, stem))
            out.append("v%d%s" % (v, "" if paired else "(req)"))
        return " ".join(out)
    rows = [["API"] + clients] + [["%s (%d)" % (a, names[a]) if a in names else a] +
                                  [cell(c, a) for c in clients] for a in apis]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for i, row in enumerate(rows):
        print("| " + " | ".join(x.ljust(w) for x, w in zip(row, widths)) + " |")
        if i == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")

    missing = sorted(a for a in MUST_COVER
                     if not any(coverage[c].get(a) for c in clients))
    if missing:
        failures.append("no client covers: %s" % ", ".join(missing))
    print("\n%d files checked, %d problem(s)" % (files, len(failures)))
    for f in failures:
        print("FAIL " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
