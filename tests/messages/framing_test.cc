// Framing of metadata and coordinator records, and hand-made hostile inputs
// for the message decoders: negative and huge lengths, overlong varints,
// malformed tagged fields.

#include <gtest/gtest.h>

#include "brook/messages/metadata_request.h"
#include "brook/messages/offset_commit_value.h"
#include "brook/messages/record_framing.h"

namespace brook::messages {
namespace {

// Proves a metadata record round-trips through its varint frame and that the
// frame's type id selects the record type.
TEST(RecordFraming, MetadataRecordRoundTrip) {
    TopicRecord topic;
    topic.name = "orders";
    topic.topic_id.value[15] = 7;
    wire::writer w;
    ASSERT_EQ(encode_metadata_record(w, topic, 0), wire::errc::ok);
    const wire::bytes framed = w.take();
    ASSERT_GE(framed.size(), 3u);
    EXPECT_EQ(framed[0], 1);  // frame version
    EXPECT_EQ(framed[1], 2);  // TopicRecord's type id
    EXPECT_EQ(framed[2], 0);  // record version

    wire::reader r(framed);
    metadata_record decoded;
    ASSERT_EQ(decode_metadata_record(r, decoded), wire::errc::ok);
    ASSERT_TRUE(std::holds_alternative<TopicRecord>(decoded));
    EXPECT_EQ(std::get<TopicRecord>(decoded), topic);
}

// Proves bad frames are refused: unknown frame version, unknown type id,
// trailing bytes.
TEST(RecordFraming, MetadataFrameErrors) {
    metadata_record decoded;
    const wire::bytes bad_frame_version{2, 2, 0};
    wire::reader r1(bad_frame_version);
    EXPECT_EQ(decode_metadata_record(r1, decoded), wire::errc::unsupported_version);
    const wire::bytes unknown_type{1, 99, 0};
    wire::reader r2(unknown_type);
    EXPECT_EQ(decode_metadata_record(r2, decoded), wire::errc::unsupported_version);

    wire::writer w;
    ASSERT_EQ(encode_metadata_record(w, NoOpRecord{}, 0), wire::errc::ok);
    wire::bytes trailing = w.take();
    trailing.push_back(0);
    wire::reader r3(trailing);
    EXPECT_EQ(decode_metadata_record(r3, decoded), wire::errc::trailing_bytes);
}

// Proves coordinator keys pick their record type by version: an offset commit
// key (version 1) and a group metadata key (version 2), and their values.
TEST(RecordFraming, ConsumerOffsetsKeysAndValues) {
    OffsetCommitKey key;
    key.group = "payments";
    key.topic = "orders";
    key.partition = 3;
    wire::writer kw;
    ASSERT_EQ(encode_coordinator_record(kw, key, 1), wire::errc::ok);
    const wire::bytes key_bytes = kw.take();
    EXPECT_EQ(key_bytes[0], 0);
    EXPECT_EQ(key_bytes[1], 1);

    wire::reader kr(key_bytes);
    consumer_offsets_record decoded_key;
    ASSERT_EQ(decode_consumer_offsets_key(kr, decoded_key), wire::errc::ok);
    ASSERT_TRUE(std::holds_alternative<OffsetCommitKey>(decoded_key));
    EXPECT_EQ(std::get<OffsetCommitKey>(decoded_key), key);

    GroupMetadataKey group_key;
    group_key.group = "payments";
    wire::writer gw;
    ASSERT_EQ(encode_coordinator_record(gw, group_key, 2), wire::errc::ok);
    const wire::bytes group_bytes = gw.take();
    wire::reader gr(group_bytes);
    ASSERT_EQ(decode_consumer_offsets_key(gr, decoded_key), wire::errc::ok);
    EXPECT_TRUE(std::holds_alternative<GroupMetadataKey>(decoded_key));

    OffsetCommitValue value;
    value.offset = 42;
    value.leader_epoch = 5;
    value.metadata = "m";
    value.commit_timestamp = 1700000000000;
    wire::writer vw;
    ASSERT_EQ(encode_coordinator_record(vw, value, 3), wire::errc::ok);
    const wire::bytes value_bytes = vw.take();
    wire::reader vr(value_bytes);
    OffsetCommitValue decoded_value;
    ASSERT_EQ(decode_coordinator_value(vr, decoded_value), wire::errc::ok);
    EXPECT_EQ(decoded_value, value);

    const wire::bytes unknown_key_version{0x00, 0x63};
    wire::reader ur(unknown_key_version);
    EXPECT_EQ(decode_consumer_offsets_key(ur, decoded_key), wire::errc::unsupported_version);
}

wire::errc decode_metadata_request(const wire::bytes& body, std::int16_t version) {
    wire::reader r(body);
    MetadataRequest request;
    return request.decode(r, version);
}

// Proves hostile array and string lengths are refused before any allocation:
// below -1, larger than the input, and null where the version forbids it.
TEST(MessageMalformed, HostileLengths) {
    // v1, non-flexible: int32 topic count, then per topic an int16 name length.
    EXPECT_EQ(decode_metadata_request({0xff, 0xff, 0xff, 0xfb}, 1), wire::errc::negative_length);
    EXPECT_EQ(decode_metadata_request({0x7f, 0xff, 0xff, 0xff}, 1), wire::errc::length_too_large);
    EXPECT_EQ(decode_metadata_request({0x00, 0x00, 0x00, 0x01, 0x7f, 0xff}, 1), wire::errc::length_too_large);
    EXPECT_EQ(decode_metadata_request({0x00, 0x00, 0x00, 0x01, 0xff, 0xfe}, 1), wire::errc::negative_length);
    // v0 does not allow a null topic list.
    EXPECT_EQ(decode_metadata_request({0xff, 0xff, 0xff, 0xff}, 0), wire::errc::unexpected_null);
    // v9, flexible: a compact count of 2^32 - 2 topics with no bytes behind it.
    EXPECT_EQ(decode_metadata_request({0xff, 0xff, 0xff, 0xff, 0x0f}, 9), wire::errc::length_too_large);
}

// Proves an overlong varint and a tagged field that claims more bytes than
// remain are errors.
TEST(MessageMalformed, OverlongVarintsAndTaggedFields) {
    // v9: a topic count varint with six continuation bytes.
    EXPECT_EQ(decode_metadata_request({0x80, 0x80, 0x80, 0x80, 0x80, 0x01}, 9), wire::errc::varint_too_long);
    // v9: empty topic list (1), allow_auto_topic_creation, two include flags,
    // then one tagged field whose size (100) runs past the end.
    EXPECT_EQ(decode_metadata_request({0x01, 0x01, 0x00, 0x00, 0x01, 0x05, 0x64, 0x00}, 9), wire::errc::truncated);
    // The same with a well-formed unknown tagged field decodes and keeps it.
    const wire::bytes with_unknown{0x01, 0x01, 0x00, 0x00, 0x01, 0x05, 0x01, 0xab};
    wire::reader r(with_unknown);
    MetadataRequest request;
    ASSERT_EQ(request.decode(r, 9), wire::errc::ok);
    ASSERT_EQ(request.unknown_tagged_fields.size(), 1u);
    EXPECT_EQ(request.unknown_tagged_fields[0].tag, 5u);
    wire::writer w;
    ASSERT_EQ(request.encode(w, 9), wire::errc::ok);
    EXPECT_TRUE(std::ranges::equal(w.view(), with_unknown));
}

}  // namespace
}  // namespace brook::messages
