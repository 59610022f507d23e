// The metadata image, the cluster metadata log and the controller.

#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "brook/metadata/controller.h"
#include "brook/metadata/metadata_log.h"

namespace brook::metadata {
namespace {

using messages::error_code;

class temporary_directory {
public:
    temporary_directory() {
        std::random_device random;
        path_ = std::filesystem::temp_directory_path() / ("brook-metadata-test-" + std::to_string(random()));
        std::filesystem::create_directories(path_);
    }
    ~temporary_directory() { std::filesystem::remove_all(path_); }
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

class MetadataTest : public ::testing::Test {
protected:
    void open() {
        log_.reset();
        controller_.reset();
        publisher_.publish(std::make_shared<const image>());
        auto opened = metadata_log::open(directory_.path(), publisher_, now_ms_);
        ASSERT_TRUE(opened) << opened.error().message();
        log_ = std::move(opened).value();
        controller_options options;
        options.default_partitions = 3;
        controller_ = std::make_unique<controller>(*log_, publisher_, options);
    }
    void register_self() {
        ASSERT_TRUE(controller_->register_broker({{"PLAINTEXT", "127.0.0.1", 9092, 0}}, std::nullopt, now_ms_).ok());
    }
    create_topic_result create(create_topic_request request, bool validate_only = false) {
        return controller_->create_topics({std::move(request)}, validate_only, now_ms_).front();
    }

    temporary_directory directory_;
    image_publisher publisher_;
    std::unique_ptr<metadata_log> log_;
    std::unique_ptr<controller> controller_;
    std::int64_t now_ms_ = 1700000000000;
};

// Proves created topics, partitions and configs appear in the published
// image, and survive a reopen of the metadata log (replay).
TEST_F(MetadataTest, TopicsSurviveReplay) {
    open();
    register_self();
    const auto created = create({.name = "orders", .num_partitions = 4, .configs = {{"retention.ms", "1000"}}});
    ASSERT_TRUE(created.ok()) << created.message;
    EXPECT_EQ(created.num_partitions, 4);
    EXPECT_EQ(created.replication_factor, 1);
    ASSERT_TRUE(create({.name = "payments"}).ok());

    const auto check = [&](const image& img) {
        const auto orders = img.topic("orders");
        ASSERT_TRUE(orders);
        EXPECT_EQ(orders->id, created.topic_id);
        EXPECT_EQ(img.topic(created.topic_id), orders);
        ASSERT_EQ(orders->partitions.size(), 4u);
        EXPECT_EQ(orders->partitions[2].leader, 1);
        EXPECT_EQ(orders->partitions[2].isr, std::vector<std::int32_t>{1});
        EXPECT_EQ(orders->configs.at("retention.ms"), "1000");
        ASSERT_TRUE(img.topic("payments"));
        EXPECT_EQ(img.topic("payments")->partitions.size(), 3u);  // num.partitions
        ASSERT_TRUE(img.broker(1));
        EXPECT_FALSE(img.broker(1)->fenced);
        EXPECT_EQ(img.broker(1)->endpoint("PLAINTEXT")->port, 9092);
        EXPECT_EQ(img.features().at("metadata.version"), 21);
    };
    check(*publisher_.current());
    const auto offset = publisher_.current()->offset();
    ASSERT_FALSE(log_->close());
    open();
    check(*publisher_.current());
    EXPECT_EQ(publisher_.current()->offset(), offset);
}

// Proves the controller's errors match Kafka's codes and messages for bad
// topic creations, and that validate_only writes nothing.
TEST_F(MetadataTest, CreateTopicErrors) {
    open();
    register_self();
    ASSERT_TRUE(create({.name = "a.b"}).ok());
    EXPECT_EQ(create({.name = "a.b"}).error, error_code::topic_already_exists);
    EXPECT_EQ(create({.name = "a.b"}).message, "Topic 'a.b' already exists.");
    EXPECT_EQ(create({.name = "a_b"}).error, error_code::invalid_topic_exception);
    EXPECT_EQ(create({.name = ""}).error, error_code::invalid_topic_exception);
    EXPECT_EQ(create({.name = ".."}).error, error_code::invalid_topic_exception);
    EXPECT_EQ(create({.name = "bad/name"}).error, error_code::invalid_topic_exception);
    EXPECT_EQ(create({.name = std::string(250, 'x')}).error, error_code::invalid_topic_exception);
    EXPECT_EQ(create({.name = "zero", .num_partitions = 0}).error, error_code::invalid_partitions);
    const auto too_wide = create({.name = "wide", .replication_factor = 3});
    EXPECT_EQ(too_wide.error, error_code::invalid_replication_factor);
    EXPECT_NE(too_wide.message.find("only 1 broker(s) are registered"), std::string::npos);
    EXPECT_EQ(create({.name = "both", .num_partitions = 2, .assignments = {{0, {1}}}}).error,
              error_code::invalid_request);
    EXPECT_EQ(create({.name = "gap", .assignments = {{0, {1}}, {2, {1}}}}).error,
              error_code::invalid_replica_assignment);
    EXPECT_EQ(create({.name = "nobody", .assignments = {{0, {7}}}}).error, error_code::invalid_replica_assignment);
    ASSERT_TRUE(create({.name = "manual", .assignments = {{0, {1}}, {1, {1}}}}).ok());

    const auto before = publisher_.current()->offset();
    const auto validated = create({.name = "dry-run", .num_partitions = 5}, /*validate_only=*/true);
    EXPECT_TRUE(validated.ok());
    EXPECT_EQ(validated.num_partitions, 5);
    EXPECT_FALSE(publisher_.current()->topic("dry-run"));
    EXPECT_EQ(publisher_.current()->offset(), before);
}

// Proves deletion by id and partition growth, with their error cases.
TEST_F(MetadataTest, DeleteTopicAndCreatePartitions) {
    open();
    register_self();
    const auto created = create({.name = "grow", .num_partitions = 2});
    ASSERT_TRUE(created.ok());
    EXPECT_TRUE(controller_->create_partitions("grow", 5, {}, false, now_ms_).ok());
    EXPECT_EQ(publisher_.current()->topic("grow")->partitions.size(), 5u);
    EXPECT_EQ(controller_->create_partitions("grow", 3, {}, false, now_ms_).error, error_code::invalid_partitions);
    EXPECT_EQ(controller_->create_partitions("grow", 5, {}, false, now_ms_).error, error_code::invalid_partitions);
    EXPECT_EQ(controller_->create_partitions("missing", 5, {}, false, now_ms_).error,
              error_code::unknown_topic_or_partition);
    EXPECT_EQ(controller_->create_partitions("grow", 7, {{1}}, false, now_ms_).error,
              error_code::invalid_replica_assignment);

    EXPECT_TRUE(controller_->delete_topic(created.topic_id, now_ms_).ok());
    EXPECT_FALSE(publisher_.current()->topic("grow"));
    EXPECT_EQ(controller_->delete_topic(created.topic_id, now_ms_).error, error_code::unknown_topic_id);
    ASSERT_FALSE(log_->close());
    open();
    EXPECT_FALSE(publisher_.current()->topic("grow"));
    EXPECT_TRUE(create({.name = "grow"}).ok());
}

// Proves image updates share untouched topics (copy on write) and never
// modify a published image.
TEST_F(MetadataTest, ImagesAreImmutable) {
    open();
    register_self();
    ASSERT_TRUE(create({.name = "stable"}).ok());
    const auto before = publisher_.current();
    const auto stable = before->topic("stable");
    ASSERT_TRUE(create({.name = "other"}).ok());
    const auto after = publisher_.current();
    EXPECT_EQ(after->topic("stable"), stable);
    EXPECT_FALSE(before->topic("other"));
    EXPECT_TRUE(after->topic("other"));
}

}  // namespace
}  // namespace brook::metadata
