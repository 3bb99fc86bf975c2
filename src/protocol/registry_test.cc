#include "protocol/registry.h"

#include <gtest/gtest.h>

namespace ferry::protocol {
namespace {

namespace json = boost::json;

ToolHandler Noop() {
  return [](RequestContext&, const json::object&) -> Result<ToolResult> {
    return ToolResult::Text("");
  };
}

Tool Named(std::string name) {
  Tool t;
  t.name = std::move(name);
  return t;
}

std::vector<std::string> Names(const Page& page) {
  std::vector<std::string> out;
  for (const auto& t : page.items) out.emplace_back(t.at("name").as_string());
  return out;
}

TEST(Registry, RefusesBadRegistrations) {
  Registry r;
  EXPECT_FALSE(r.AddTool(Named(""), Noop()));
  EXPECT_FALSE(r.AddTool(Named("x"), nullptr));
  Tool bad_schema = Named("y");
  bad_schema.input_schema = json::object{{"type", 5}};
  auto e = r.AddTool(bad_schema, Noop());
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message.find("inputSchema"), std::string::npos);
  ASSERT_TRUE(r.AddTool(Named("z"), Noop()));
  auto dup = r.AddTool(Named("z"), Noop());
  ASSERT_FALSE(dup);
  EXPECT_NE(dup.error().message.find("already registered"), std::string::npos);
  auto bad_template = r.AddTemplate({.uri_template = "x://{unclosed", .name = "t"},
                                    [](RequestContext&, const std::string&, const UriVariables&)
                                        -> Result<std::vector<ResourceContents>> { return {}; },
                                    {});
  EXPECT_FALSE(bad_template);
}

TEST(Registry, ListingsHaveTheSpecShape) {
  Registry r;
  Tool t = Named("t");
  t.title = "T";
  t.annotations = json::object{{"readOnlyHint", true}};
  ASSERT_TRUE(r.AddTool(t, Noop()));
  auto page = r.tools().List("", 10);
  ASSERT_TRUE(page);
  const auto& listing = page->items.at(0).as_object();
  EXPECT_EQ(listing.at("title").as_string(), "T");
  EXPECT_EQ(listing.at("inputSchema").at("type").as_string(), "object");  // default schema
  EXPECT_TRUE(listing.at("annotations").at("readOnlyHint").as_bool());
  EXPECT_FALSE(listing.contains("outputSchema"));
  EXPECT_TRUE(page->next_cursor.empty());
}

TEST(Registry, CursorsSurviveRemovalsBetweenPages) {
  Registry r;
  for (auto n : {"a", "b", "c", "d", "e"}) ASSERT_TRUE(r.AddTool(Named(n), Noop()));
  auto first = r.tools().List("", 2);
  ASSERT_TRUE(first);
  EXPECT_EQ(Names(*first), (std::vector<std::string>{"a", "b"}));
  ASSERT_TRUE(r.tools().Remove("c"));  // the next page's first entry disappears
  auto second = r.tools().List(first->next_cursor, 2);
  ASSERT_TRUE(second);
  EXPECT_EQ(Names(*second), (std::vector<std::string>{"d", "e"}));
  EXPECT_TRUE(second->next_cursor.empty());
}

TEST(Registry, CursorsAreCheckedAndKindSpecific) {
  Registry r;
  for (auto n : {"a", "b", "c"}) ASSERT_TRUE(r.AddTool(Named(n), Noop()));
  auto first = r.tools().List("", 1);
  ASSERT_TRUE(first);
  EXPECT_FALSE(r.tools().List("not base64!", 1));
  EXPECT_FALSE(r.prompts().List(first->next_cursor, 1));  // a tools cursor is no prompts cursor
  EXPECT_EQ(DecodeCursor('t', EncodeCursor('t', "name with ünïcode")).value(), "name with ünïcode");
}

TEST(Registry, TemplatesMatchInListingOrder) {
  Registry r;
  auto handler = [](RequestContext&, const std::string&, const UriVariables&)
      -> Result<std::vector<ResourceContents>> { return {}; };
  ASSERT_TRUE(r.AddTemplate({.uri_template = "x://items/{id}", .name = "item"}, handler, {}));
  ASSERT_TRUE(r.AddTemplate({.uri_template = "x://users/{user}/posts/{post}", .name = "post"},
                            handler, {}));
  auto [entry, vars] = r.MatchTemplate("x://users/ada/posts/7");
  ASSERT_TRUE(entry);
  EXPECT_EQ(entry->resource_template.name, "post");
  EXPECT_EQ(vars.at("user"), "ada");
  EXPECT_EQ(vars.at("post"), "7");
  EXPECT_FALSE(r.MatchTemplate("y://nothing").first);
}

}  // namespace
}  // namespace ferry::protocol
