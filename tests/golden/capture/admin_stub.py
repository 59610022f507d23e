#!/usr/bin/python3
"""admin_stub: a tiny single-broker Kafka endpoint for the topic admin APIs.

librdkafka's mock cluster (2.0.2) does not implement CreateTopics or
DeleteTopics: it closes the connection, and since it does not advertise them
in ApiVersions, clients refuse to send them at all. To still capture those
two APIs, the admin scenarios talk to this stub instead.

The stub does no byte-level encoding of its own: every request body is
decoded and every response body is encoded with kafka-python's protocol
structs (kafka.protocol.*, Debian package python3-kafka), an independent
implementation of the Kafka schemas. The stub only supplies the response
header (the int32 correlation id) and the int32 frame size.

Supported: ApiVersions v0-2 (a v3+ ApiVersions request gets the KIP-511
UNSUPPORTED_VERSION answer in v0 form so that the client retries lower),
Metadata v0-5, CreateTopics v0-3, DeleteTopics v0-3. Anything else closes
the connection, as the mock cluster does.

Usage: admin_stub.py [--lifetime SECONDS]
Prints the bootstrap address (127.0.0.1:PORT) on stdout, serves until
SIGINT/SIGTERM or until the lifetime (default 300 s) is over.
"""
import argparse
import io
import selectors
import signal
import socket
import struct
import sys
import time

from kafka.protocol.admin import (ApiVersionRequest, ApiVersionResponse,
                                  CreateTopicsRequest, CreateTopicsResponse,
                                  DeleteTopicsRequest, DeleteTopicsResponse)
from kafka.protocol.metadata import MetadataRequest, MetadataResponse

NODE_ID = 1
CLUSTER_ID = "golden-admin-stub"

# api_key -> (request structs, response structs)
APIS = {
    3: (MetadataRequest, MetadataResponse),
    18: (ApiVersionRequest, ApiVersionResponse),
    19: (CreateTopicsRequest, CreateTopicsResponse),
    20: (DeleteTopicsRequest, DeleteTopicsResponse),
}

ERR_NONE = 0
ERR_UNKNOWN_TOPIC_OR_PARTITION = 3
ERR_UNSUPPORTED_VERSION = 35
ERR_TOPIC_ALREADY_EXISTS = 36


class Stub:
    def __init__(self, port):
        self.port = port
        self.topics = {}  # name -> partition count

    def api_versions(self):
        return [(key, 0, len(reqs) - 1) for key, (reqs, _) in sorted(APIS.items())]

    def metadata_topic(self, version, name):
        if name not in self.topics:
            entry = (ERR_UNKNOWN_TOPIC_OR_PARTITION, name, False, [])
        else:
            parts = []
            for p in range(self.topics[name]):
                part = (ERR_NONE, p, NODE_ID, [NODE_ID], [NODE_ID])
                if version >= 5:
                    part += ([],)  # offline_replicas
                parts.append(part)
            entry = (ERR_NONE, name, False, parts)
        if version == 0:
            entry = (entry[0], entry[1], entry[3])  # no is_internal
        return entry

    def handle(self, api_key, version, body):
        """Returns the encoded response body, or None to drop the connection."""
        if api_key == 18 and version > 2:
            # KIP-511: answer in v0 form with UNSUPPORTED_VERSION.
            return encode(ApiVersionResponse[0],
                          error_code=ERR_UNSUPPORTED_VERSION,
                          api_versions=self.api_versions())
        if api_key not in APIS or version >= len(APIS[api_key][0]):
            return None
        req_cls, resp_cls = APIS[api_key][0][version], APIS[api_key][1][version]
        req = req_cls.decode(io.BytesIO(body))
        if api_key == 18:
            fields = dict(error_code=ERR_NONE, api_versions=self.api_versions())
            if version >= 1:
                fields["throttle_time_ms"] = 0
            return encode(resp_cls, **fields)
        if api_key == 3:
            names = req.topics
            if names is None or (version == 0 and not names):
                names = sorted(self.topics)
            topics = [self.metadata_topic(version, n) for n in names]
            broker = (NODE_ID, "127.0.0.1", self.port)
            fields = {}
            if version >= 3:
                fields["throttle_time_ms"] = 0
            if version >= 1:
                broker += (None,)  # rack
            fields["brokers"] = [broker]
            if version >= 2:
                fields["cluster_id"] = CLUSTER_ID
            if version >= 1:
                fields["controller_id"] = NODE_ID
            fields["topics"] = topics
            return encode(resp_cls, **fields)
        if api_key == 19:
            validate_only = version >= 1 and bool(req.validate_only)
            results = []
            for t in req.create_topic_requests:
                name, num_partitions = t[0], t[1]
                if name in self.topics:
                    err, msg = ERR_TOPIC_ALREADY_EXISTS, "Topic '%s' already exists." % name
                else:
                    err, msg = ERR_NONE, None
                    if not validate_only:
                        self.topics[name] = num_partitions if num_partitions > 0 else 1
                results.append((name, err) if version == 0 else (name, err, msg))
            fields = {"topic_errors": results}
            if version >= 2:
                fields["throttle_time_ms"] = 0
            return encode(resp_cls, **fields)
        if api_key == 20:
            results = []
            for name in req.topics:
                if name in self.topics:
                    del self.topics[name]
                    results.append((name, ERR_NONE))
                else:
                    results.append((name, ERR_UNKNOWN_TOPIC_OR_PARTITION))
            fields = {"topic_error_codes": results}
            if version >= 1:
                fields["throttle_time_ms"] = 0
            return encode(resp_cls, **fields)
        return None


def encode(cls, **fields):
    # Keep a reference: kafka-python's Struct.encode is a weak method bound to
    # the instance, so calling it on a temporary fails.
    obj = cls(**fields)
    return obj.encode()


def parse_request_header(payload):
    """Returns (api_key, version, correlation_id, body_offset) for a request
    header v1 (flexible request headers are only ever seen here for an
    ApiVersions v3+ probe, whose body the stub does not need)."""
    api_key, version, corr = struct.unpack_from(">hhi", payload, 0)
    (cid_len,) = struct.unpack_from(">h", payload, 8)
    off = 10 + max(cid_len, 0)
    return api_key, version, corr, off


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lifetime", type=float, default=300)
    args = ap.parse_args()

    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(16)
    lsock.setblocking(False)
    port = lsock.getsockname()[1]
    stub = Stub(port)

    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))

    sel = selectors.DefaultSelector()
    sel.register(lsock, selectors.EVENT_READ, None)
    buffers = {}
    print("127.0.0.1:%d" % port, flush=True)
    deadline = time.monotonic() + args.lifetime

    def close(conn):
        sel.unregister(conn)
        buffers.pop(conn, None)
        conn.close()

    while not stop and time.monotonic() < deadline:
        for key, _ in sel.select(timeout=0.2):
            if key.data is None:
                conn, _ = lsock.accept()
                conn.setblocking(True)
                sel.register(conn, selectors.EVENT_READ, "conn")
                buffers[conn] = b""
                continue
            conn = key.fileobj
            try:
                data = conn.recv(65536)
            except OSError:
                data = b""
            if not data:
                close(conn)
                continue
            buf = buffers[conn] + data
            keep = True
            while keep and len(buf) >= 4:
                (size,) = struct.unpack_from(">i", buf, 0)
                if len(buf) < 4 + size:
                    break
                payload, buf = buf[4:4 + size], buf[4 + size:]
                api_key, version, corr, off = parse_request_header(payload)
                try:
                    body = stub.handle(api_key, version, payload[off:])
                except Exception as exc:  # malformed or unexpected request
                    print("admin_stub: api %d v%d: %r" % (api_key, version, exc),
                          file=sys.stderr, flush=True)
                    body = None
                if body is None:
                    print("admin_stub: closing on api %d v%d" % (api_key, version),
                          file=sys.stderr, flush=True)
                    keep = False
                    break
                out = struct.pack(">i", corr) + body
                conn.sendall(struct.pack(">i", len(out)) + out)
            if keep:
                buffers[conn] = buf
            else:
                close(conn)
    return 0


if __name__ == "__main__":
    sys.exit(main())
