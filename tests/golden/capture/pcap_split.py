#!/usr/bin/python3
"""pcap_split: turn a loopback packet capture into golden Kafka frame files.

Reads a classic pcap file (as written by `tcpdump -w`), reassembles every TCP
connection to the given server ports, splits both directions into Kafka
frames (int32 size + payload), pairs each request with its response by
correlation id, and writes one request/response pair per (api key, version):
the first seen in capture order. An ApiVersions request answered with
UNSUPPORTED_VERSION is kept as a request file alone (that answer is not
encoded in the requested version). For Produce and Fetch a second pair is kept
when it differs meaningfully from the first (Produce: compression codec or
producer id; Fetch: records in the response or none) and is written as `...-request-2.bin` /
`...-response-2.bin`.

Usage:
  pcap_split.py --pcap FILE --out DIR --server PORT[:APIKEY,APIKEY...] ...

A server given with a list of api keys only contributes those APIs (the
admin stub only contributes CreateTopics/DeleteTopics: its ApiVersions and
Metadata answers are not from a broker and are left out).

Only the Python standard library is used.
"""
import argparse
import collections
import os
import struct
import sys

API_NAMES = {
    0: "Produce", 1: "Fetch", 2: "ListOffsets", 3: "Metadata",
    4: "LeaderAndIsr", 5: "StopReplica", 6: "UpdateMetadata",
    7: "ControlledShutdown", 8: "OffsetCommit", 9: "OffsetFetch",
    10: "FindCoordinator", 11: "JoinGroup", 12: "Heartbeat", 13: "LeaveGroup",
    14: "SyncGroup", 15: "DescribeGroups", 16: "ListGroups",
    17: "SaslHandshake", 18: "ApiVersions", 19: "CreateTopics",
    20: "DeleteTopics", 21: "DeleteRecords", 22: "InitProducerId",
    23: "OffsetForLeaderEpoch", 24: "AddPartitionsToTxn",
    25: "AddOffsetsToTxn", 26: "EndTxn", 27: "WriteTxnMarkers",
    28: "TxnOffsetCommit", 29: "DescribeAcls", 30: "CreateAcls",
    31: "DeleteAcls", 32: "DescribeConfigs", 33: "AlterConfigs",
    34: "AlterReplicaLogDirs", 35: "DescribeLogDirs", 36: "SaslAuthenticate",
    37: "CreatePartitions", 38: "CreateDelegationToken",
    39: "RenewDelegationToken", 40: "ExpireDelegationToken",
    41: "DescribeDelegationToken", 42: "DeleteGroups", 43: "ElectLeaders",
    44: "IncrementalAlterConfigs", 45: "AlterPartitionReassignments",
    46: "ListPartitionReassignments", 47: "OffsetDelete",
    48: "DescribeClientQuotas", 49: "AlterClientQuotas",
    50: "DescribeUserScramCredentials", 51: "AlterUserScramCredentials",
    60: "DescribeCluster", 61: "DescribeProducers", 65: "DescribeTransactions",
    66: "ListTransactions", 67: "AllocateProducerIds",
    68: "ConsumerGroupHeartbeat", 69: "ConsumerGroupDescribe",
    71: "GetTelemetrySubscriptions", 72: "PushTelemetry",
}

# First flexible version per API (for the few APIs whose bodies are looked
# into here, and for the header layout).
FIRST_FLEXIBLE = {0: 9, 1: 12}


# ---------------------------------------------------------------- pcap ----

def read_pcap(path):
    """Yields (timestamp, linktype, packet bytes)."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        endian = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        endian = ">"
    else:
        raise SystemExit("%s: not a classic pcap file" % path)
    nano = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    linktype = struct.unpack_from(endian + "I", data, 20)[0] & 0x0FFFFFFF
    off = 24
    while off + 16 <= len(data):
        sec, frac, incl, orig = struct.unpack_from(endian + "IIII", data, off)
        off += 16
        pkt = data[off:off + incl]
        off += incl
        if incl != orig:
            raise SystemExit("%s: truncated packet (snaplen too small)" % path)
        ts = sec + frac / (1e9 if nano else 1e6)
        yield ts, linktype, pkt


def ip_payload(linktype, pkt):
    """Returns (ip version, ip packet) or None."""
    if linktype == 1:  # Ethernet
        etype = struct.unpack_from(">H", pkt, 12)[0]
        body = pkt[14:]
    elif linktype == 113:  # Linux cooked v1
        etype = struct.unpack_from(">H", pkt, 14)[0]
        body = pkt[16:]
    elif linktype == 276:  # Linux cooked v2
        etype = struct.unpack_from(">H", pkt, 0)[0]
        body = pkt[20:]
    elif linktype == 0:  # BSD loopback
        fam = struct.unpack_from("<I", pkt, 0)[0]
        etype = 0x0800 if fam == 2 else 0x86DD
        body = pkt[4:]
    elif linktype == 101:  # raw IP
        etype = 0x0800 if pkt[0] >> 4 == 4 else 0x86DD
        body = pkt
    else:
        raise SystemExit("unsupported link type %d" % linktype)
    if etype == 0x0800:
        return 4, body
    if etype == 0x86DD:
        return 6, body
    return None


def tcp_segment(ipver, ip):
    """Returns (src, sport, dst, dport, seq, flags, payload) or None."""
    if ipver == 4:
        ihl = (ip[0] & 0x0F) * 4
        total = struct.unpack_from(">H", ip, 2)[0]
        if ip[9] != 6:
            return None
        src, dst = ip[12:16], ip[16:20]
        tcp = ip[ihl:total]
    else:
        if ip[6] != 6:  # no extension header support needed on loopback
            return None
        plen = struct.unpack_from(">H", ip, 4)[0]
        src, dst = ip[8:24], ip[24:40]
        tcp = ip[40:40 + plen]
    sport, dport, seq = struct.unpack_from(">HHI", tcp, 0)
    doff = (tcp[12] >> 4) * 4
    flags = tcp[13]
    return src, sport, dst, dport, seq, flags, tcp[doff:]


class Direction:
    def __init__(self):
        self.isn = None  # sequence number of the first payload byte
        self.segments = []  # (seq, ts, payload)

    def assemble(self):
        """Returns (bytes, [(offset, ts)]) with retransmissions dropped."""
        if not self.segments:
            return b"", []
        base = self.isn
        if base is None:
            base = min(s for s, _, _ in self.segments)
        items = []
        for seq, ts, payload in self.segments:
            rel = (seq - base) & 0xFFFFFFFF
            items.append((rel, ts, payload))
        items.sort(key=lambda x: (x[0], x[1]))
        out = bytearray()
        marks = []
        for rel, ts, payload in items:
            end = rel + len(payload)
            if end <= len(out):
                continue  # retransmission
            if rel > len(out):
                print("pcap_split: gap in TCP stream at offset %d; stream cut"
                      % len(out), file=sys.stderr)
                break
            marks.append((len(out), ts))
            out += payload[len(out) - rel:]
        return bytes(out), marks


def ts_at(marks, offset):
    ts = marks[0][1] if marks else 0.0
    for off, t in marks:
        if off > offset:
            break
        ts = t
    return ts


def split_frames(stream, marks):
    frames = []
    off = 0
    while off + 4 <= len(stream):
        (size,) = struct.unpack_from(">i", stream, off)
        if size < 0 or off + 4 + size > len(stream):
            break  # incomplete frame at the end of the capture
        frames.append((ts_at(marks, off), stream[off + 4:off + 4 + size]))
        off += 4 + size
    return frames


def connections(pcap, server_ports):
    """Returns {(client ip, client port, server port): (c2s, s2c)}."""
    conns = collections.OrderedDict()
    for ts, linktype, pkt in read_pcap(pcap):
        ip = ip_payload(linktype, pkt)
        if ip is None:
            continue
        seg = tcp_segment(*ip)
        if seg is None:
            continue
        src, sport, dst, dport, seq, flags, payload = seg
        if dport in server_ports:
            key, to_server = (src, sport, dport), True
        elif sport in server_ports:
            key, to_server = (dst, dport, sport), False
        else:
            continue
        if key not in conns:
            conns[key] = (Direction(), Direction())
        d = conns[key][0 if to_server else 1]
        if flags & 0x02:  # SYN
            d.isn = (seq + 1) & 0xFFFFFFFF
        if payload:
            d.segments.append((seq, ts, payload))
    return conns


# ------------------------------------------------------- frame details ----

class Reader:
    def __init__(self, buf, off=0):
        self.buf, self.off = buf, off

    def take(self, fmt):
        v = struct.unpack_from(">" + fmt, self.buf, self.off)
        self.off += struct.calcsize(">" + fmt)
        return v[0]

    def uvarint(self):
        shift = value = 0
        while True:
            b = self.buf[self.off]
            self.off += 1
            value |= (b & 0x7F) << shift
            if not b & 0x80:
                return value
            shift += 7

    def skip_tags(self):
        for _ in range(self.uvarint()):
            self.uvarint()
            self.off += self.uvarint()

    def string(self):
        n = self.take("h")
        s = self.buf[self.off:self.off + max(n, 0)]
        self.off += max(n, 0)
        return s

    def bytes_(self):
        n = self.take("i")
        b = self.buf[self.off:self.off + max(n, 0)]
        self.off += max(n, 0)
        return b


def request_header(payload):
    """Returns (api_key, version, correlation_id, body offset)."""
    r = Reader(payload)
    api_key, version, corr = r.take("h"), r.take("h"), r.take("i")
    r.string()  # client id (never compact)
    flexible = version >= FIRST_FLEXIBLE.get(api_key, 1 << 15)
    if api_key == 18 and version >= 3:
        flexible = True
    if flexible:
        r.skip_tags()
    return api_key, version, corr, r.off


def batch_kind(records):
    """Describes the first record batch / message set: (codec, has producer id)."""
    if len(records) < 17:
        return ("empty",)
    magic = records[16]
    if magic >= 2 and len(records) >= 61:
        attrs = struct.unpack_from(">h", records, 21)[0]
        pid = struct.unpack_from(">q", records, 43)[0]
        return (attrs & 7, pid != -1)
    return (records[17] & 7, False)


CODECS = {0: "none", 1: "gzip", 2: "snappy", 3: "lz4", 4: "zstd"}


def produce_flavor(version, payload, body_off):
    if version >= FIRST_FLEXIBLE[0]:
        return ("flexible",)
    r = Reader(payload, body_off)
    if version >= 3:
        r.string()  # transactional id
    r.take("h")  # acks
    r.take("i")  # timeout
    for _ in range(r.take("i")):
        r.string()
        for _ in range(r.take("i")):
            r.take("i")
            return batch_kind(r.bytes_())
    return ("no-records",)


def fetch_flavor(version, response):
    if version >= FIRST_FLEXIBLE[1]:
        return ("flexible",)
    r = Reader(response, 4)
    if version >= 1:
        r.take("i")  # throttle
    if version >= 7:
        r.take("h")  # error code
        r.take("i")  # session id
    for _ in range(r.take("i")):
        r.string()
        for _ in range(r.take("i")):
            r.take("i"), r.take("h"), r.take("q")
            if version >= 4:
                r.take("q")
            if version >= 5:
                r.take("q")
            if version >= 4:
                n = r.take("i")
                r.off += 16 * max(n, 0)
            if version >= 11:
                r.take("i")
            if r.bytes_():
                return ("records",)
    return ("no-records",)


def describe(flavor):
    if len(flavor) == 2 and isinstance(flavor[0], int):
        return "codec=%s%s" % (CODECS.get(flavor[0], flavor[0]),
                               ", producer id" if flavor[1] else "")
    return ",".join(str(x) for x in flavor)


# ----------------------------------------------------------------- main ----

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pcap", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--server", action="append", required=True,
                    help="PORT or PORT:APIKEY,APIKEY,...")
    args = ap.parse_args()

    allowed = {}
    for spec in args.server:
        port, _, keys = spec.partition(":")
        allowed[int(port)] = {int(k) for k in keys.split(",")} if keys else None

    pairs = []  # (ts, server port, api, version, request, response)
    unanswered = collections.Counter()
    for (_, cport, sport), (c2s, s2c) in connections(args.pcap, set(allowed)).items():
        requests = split_frames(*c2s.assemble())
        responses = {}
        for ts, payload in split_frames(*s2c.assemble()):
            if len(payload) >= 4:
                responses.setdefault(struct.unpack_from(">i", payload, 0)[0], payload)
        for ts, payload in requests:
            api, ver, corr, body_off = request_header(payload)
            resp = responses.pop(corr, None)
            if resp is None:
                unanswered[(api, ver)] += 1
                continue
            pairs.append((ts, sport, api, ver, payload, resp, body_off))

    pairs.sort(key=lambda p: p[0])
    chosen = collections.OrderedDict()  # (api, ver) -> [(flavor, req, resp)]
    seen = collections.Counter()
    request_only = {}
    for ts, sport, api, ver, req, resp, body_off in pairs:
        if allowed[sport] is not None and api not in allowed[sport]:
            continue
        seen[(api, ver)] += 1
        flavor = None
        if api == 0:
            flavor = produce_flavor(ver, req, body_off)
        elif api == 1:
            flavor = fetch_flavor(ver, resp)
        if api == 18 and struct.unpack_from(">h", resp, 4)[0] == 35:
            # UNSUPPORTED_VERSION: the broker answers in the v0 layout (the
            # librdkafka mock in a broken hybrid one), not in the requested
            # version's, so the response is no golden for that version.
            # Keep the request alone, unless a full pair shows up.
            request_only.setdefault((api, ver), req)
            continue
        kept = chosen.setdefault((api, ver), [])
        if not kept:
            kept.append((flavor, req, resp))
        elif api in (0, 1) and len(kept) < 2 and flavor != kept[0][0]:
            kept.append((flavor, req, resp))

    os.makedirs(args.out, exist_ok=True)
    for (api, ver), kept in sorted(chosen.items()):
        for i, (flavor, req, resp) in enumerate(kept):
            suffix = "" if i == 0 else "-%d" % (i + 1)
            stem = "%02d-%s-v%d" % (api, API_NAMES.get(api, "Api%d" % api), ver)
            with open(os.path.join(args.out, stem + "-request" + suffix + ".bin"), "wb") as f:
                f.write(req)
            with open(os.path.join(args.out, stem + "-response" + suffix + ".bin"), "wb") as f:
                f.write(resp)
            note = " [%s]" % describe(flavor) if flavor else ""
            print("  %s%s: %d seen%s" % (stem, suffix, seen[(api, ver)], note))
    for (api, ver), req in sorted(request_only.items()):
        if (api, ver) in chosen:
            continue
        stem = "%02d-%s-v%d" % (api, API_NAMES.get(api, "Api%d" % api), ver)
        with open(os.path.join(args.out, stem + "-request.bin"), "wb") as f:
            f.write(req)
        print("  %s: request only (answered with UNSUPPORTED_VERSION)" % stem)
    for (api, ver), n in sorted(unanswered.items()):
        print("  (%d %s v%d request(s) without a response in the capture)"
              % (n, API_NAMES.get(api, api), ver))
    return 0


if __name__ == "__main__":
    sys.exit(main())
