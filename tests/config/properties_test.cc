#include "brook/config/properties.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace brook::config {
namespace {

properties parse_ok(std::string_view text) {
    auto parsed = properties::parse(text);
    EXPECT_TRUE(parsed.ok()) << parsed.error();
    return parsed.ok() ? parsed.value() : properties{};
}

TEST(properties, all_three_separators) {
    // Proves `key=value`, `key: value` and `key value` all split as Java does,
    // with whitespace around the separator dropped and only one separator eaten.
    const properties p = parse_ok("a=1\nb: 2\nc 3\nd = 4\ne\t:\t5\nf==6\ng = : 7\n");
    EXPECT_EQ(p.get("a"), "1");
    EXPECT_EQ(p.get("b"), "2");
    EXPECT_EQ(p.get("c"), "3");
    EXPECT_EQ(p.get("d"), "4");
    EXPECT_EQ(p.get("e"), "5");
    EXPECT_EQ(p.get("f"), "=6");
    EXPECT_EQ(p.get("g"), ": 7");
}

TEST(properties, keys_without_values_and_trailing_whitespace) {
    // Proves a key alone has an empty value, and that the value keeps trailing
    // whitespace as Java does (typed parsing trims it later).
    const properties p = parse_ok("empty\nempty2=\nspaced = value  \n");
    EXPECT_EQ(p.get("empty"), "");
    EXPECT_EQ(p.get("empty2"), "");
    EXPECT_EQ(p.get("spaced"), "value  ");
}

TEST(properties, comments_and_blank_lines_are_skipped) {
    // Proves `#` and `!` start comments only as a line's first non-blank
    // character, and that a comment line ending in a backslash does not continue.
    const properties p = parse_ok("# comment\n  ! another\n\n   \t\nkey=value # not a comment\n# ends \\\nnext=1\n");
    ASSERT_EQ(p.size(), 2U);
    EXPECT_EQ(p.get("key"), "value # not a comment");
    EXPECT_EQ(p.get("next"), "1");
}

TEST(properties, leading_whitespace_is_trimmed) {
    // Proves indentation before a key is not part of it.
    const properties p = parse_ok("   indented = yes\n\t\ftabbed=also\n");
    EXPECT_EQ(p.get("indented"), "yes");
    EXPECT_EQ(p.get("tabbed"), "also");
}

TEST(properties, backslash_continues_a_line) {
    // Proves an odd run of trailing backslashes joins the next line with its
    // leading whitespace dropped, an even run does not, and the line number is
    // the one where the key starts.
    const properties p = parse_ok(
        "listeners=PLAINTEXT://:9092,\\\n"
        "          CONTROLLER://:9093\n"
        "path=c:\\\\\n"
        "after=1\n"
        "multi=a\\\n  b\\\n  c\n");
    EXPECT_EQ(p.get("listeners"), "PLAINTEXT://:9092,CONTROLLER://:9093");
    EXPECT_EQ(p.find("listeners")->line, 1);
    EXPECT_EQ(p.get("path"), "c:\\");
    EXPECT_EQ(p.find("after")->line, 4);
    EXPECT_EQ(p.get("multi"), "abc");
    EXPECT_EQ(p.find("multi")->line, 5);
}

TEST(properties, continuation_then_blank_line_ends_the_value) {
    // Proves a blank line after a continuation ends the logical line, and a
    // continuation on the last line of the file is not an error.
    const properties p = parse_ok("a=1\\\n\nb=2\\");
    EXPECT_EQ(p.get("a"), "1");
    EXPECT_EQ(p.get("b"), "2");
}

TEST(properties, escapes_in_keys_and_values) {
    // Proves the escapes \t \n \r \f \\ \= \: \space and \uXXXX, in keys and
    // values, including a surrogate pair written as two \u escapes.
    const properties p = parse_ok(
        "tab=a\\tb\nnl=a\\nb\ncr=a\\rb\nff=a\\fb\nslash=a\\\\b\n"
        "key\\=with\\:seps\\ and\\ space=v\\=1\\:2\n"
        "unicode=\\u0041\\u00e9\\u20AC\n"
        "emoji=\\uD83D\\uDE00\n"
        "other=\\q\\#\n");
    EXPECT_EQ(p.get("tab"), "a\tb");
    EXPECT_EQ(p.get("nl"), "a\nb");
    EXPECT_EQ(p.get("cr"), "a\rb");
    EXPECT_EQ(p.get("ff"), "a\fb");
    EXPECT_EQ(p.get("slash"), "a\\b");
    EXPECT_EQ(p.get("key=with:seps and space"), "v=1:2");
    EXPECT_EQ(p.get("unicode"), "A\xC3\xA9\xE2\x82\xAC");
    EXPECT_EQ(p.get("emoji"), "\xF0\x9F\x98\x80");
    EXPECT_EQ(p.get("other"), "q#");
}

TEST(properties, bad_unicode_escape_names_the_line) {
    // Proves a malformed \u escape fails the whole parse with the line number.
    const auto short_escape = properties::parse("a=1\n\nb=\\u12\n");
    ASSERT_FALSE(short_escape.ok());
    EXPECT_NE(short_escape.error().find("line 3"), std::string::npos) << short_escape.error();
    EXPECT_NE(short_escape.error().find("\\u"), std::string::npos) << short_escape.error();

    const auto not_hex = properties::parse("x=\\uZZZZ\n");
    ASSERT_FALSE(not_hex.ok());
    EXPECT_NE(not_hex.error().find("line 1"), std::string::npos) << not_hex.error();

    const auto lone_surrogate = properties::parse("a=1\nx=\\uD800z\n");
    ASSERT_FALSE(lone_surrogate.ok());
    EXPECT_NE(lone_surrogate.error().find("line 2"), std::string::npos) << lone_surrogate.error();
}

TEST(properties, line_endings_lf_crlf_and_cr) {
    // Proves \n, \r\n and a lone \r all end lines and count once each.
    const properties p = parse_ok("a=1\r\nb=2\rc=3\nd=4");
    EXPECT_EQ(p.get("a"), "1");
    EXPECT_EQ(p.find("b")->line, 2);
    EXPECT_EQ(p.find("c")->line, 3);
    EXPECT_EQ(p.find("d")->line, 4);
    EXPECT_EQ(p.get("d"), "4");
}

TEST(properties, keys_keep_file_order_and_line_numbers) {
    // Proves entries() lists keys in the order the file defines them, each
    // with its line.
    const properties p = parse_ok("# header\nz=1\n\na=2\nm=3\n");
    ASSERT_EQ(p.size(), 3U);
    EXPECT_EQ(p.entries()[0].key, "z");
    EXPECT_EQ(p.entries()[0].line, 2);
    EXPECT_EQ(p.entries()[1].key, "a");
    EXPECT_EQ(p.entries()[1].line, 4);
    EXPECT_EQ(p.entries()[2].key, "m");
    EXPECT_EQ(p.entries()[2].line, 5);
}

TEST(properties, duplicate_keeps_last_value_and_is_reported) {
    // Proves a second definition wins (as in Java), keeps the key's first
    // position, and is recorded with both lines.
    const properties p = parse_ok("num.partitions=1\nother=x\nnum.partitions=3\n");
    ASSERT_EQ(p.size(), 2U);
    EXPECT_EQ(p.entries()[0].key, "num.partitions");
    EXPECT_EQ(p.get("num.partitions"), "3");
    EXPECT_EQ(p.find("num.partitions")->line, 3);
    ASSERT_EQ(p.duplicates().size(), 1U);
    EXPECT_EQ(p.duplicates()[0].key, "num.partitions");
    EXPECT_EQ(p.duplicates()[0].first_line, 1);
    EXPECT_EQ(p.duplicates()[0].line, 3);
    const auto issues = p.duplicate_issues();
    ASSERT_EQ(issues.size(), 1U);
    EXPECT_EQ(issues[0].what, config_issue::duplicate);
    EXPECT_EQ(issues[0].line, 3);
}

TEST(properties, load_reads_a_file_and_reports_a_missing_one) {
    // Proves load() parses a file from disk and that a missing file is an
    // error naming the path.
    const auto path = std::filesystem::temp_directory_path() / "brook_properties_test.properties";
    {
        std::ofstream out(path);
        out << "node.id=7\n";
    }
    const auto loaded = properties::load(path);
    ASSERT_TRUE(loaded.ok()) << loaded.error();
    EXPECT_EQ(loaded->get("node.id"), "7");
    std::filesystem::remove(path);

    const auto missing = properties::load(path);
    ASSERT_FALSE(missing.ok());
    EXPECT_NE(missing.error().find(path.string()), std::string::npos) << missing.error();
}

}  // namespace
}  // namespace brook::config
