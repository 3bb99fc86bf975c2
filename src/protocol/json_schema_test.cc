#include "protocol/json_schema.h"

#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace ferry::protocol {
namespace {

namespace json = boost::json;

// One instance checked against the schema of a table.
struct Case {
  const char* instance;
  bool valid;
};

std::vector<std::string> Check(std::string_view schema, std::string_view instance,
                               const JsonSchemaOptions& options = {}, std::size_t max_errors = 10) {
  auto compiled = JsonSchema::Compile(json::parse(schema), options);
  if (!compiled) {
    ADD_FAILURE() << "schema did not compile: " << compiled.error().message;
    return {"<schema did not compile>"};
  }
  return compiled->Validate(json::parse(instance), max_errors);
}

void ExpectCases(std::string_view schema, const std::vector<Case>& cases,
                 const JsonSchemaOptions& options = {}) {
  for (const Case& c : cases) {
    const auto errors = Check(schema, c.instance, options);
    EXPECT_EQ(errors.empty(), c.valid)
        << "schema: " << schema << "\ninstance: " << c.instance
        << "\nfirst error: " << (errors.empty() ? "(none)" : errors.front());
  }
}

std::string CompileError(std::string_view schema) {
  auto compiled = JsonSchema::Compile(json::parse(schema));
  if (compiled) return "";
  EXPECT_EQ(compiled.error().code, ErrorCode::kInvalidParams);
  return compiled.error().message;
}

bool Contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

// ---- Boolean schemas and type ----

TEST(JsonSchemaTest, BooleanSchemas) {
  ExpectCases("true", {{"1", true}, {"\"x\"", true}, {"null", true}, {"{\"a\": []}", true}});
  ExpectCases("false", {{"1", false}, {"null", false}, {"{}", false}});
  ExpectCases("{}", {{"1", true}, {"[1, {}]", true}});
}

TEST(JsonSchemaTest, TypeSingle) {
  ExpectCases(R"({"type": "integer"})", {{"1", true},
                                         {"-7", true},
                                         {"1.0", true},
                                         {"1.5", false},
                                         {"18446744073709551615", true},
                                         {"\"1\"", false},
                                         {"null", false}});
  ExpectCases(R"({"type": "number"})",
              {{"1", true}, {"1.5", true}, {"-1e10", true}, {"\"1\"", false}, {"true", false}});
  ExpectCases(R"({"type": "string"})", {{"\"\"", true}, {"\"x\"", true}, {"1", false}});
  ExpectCases(R"({"type": "boolean"})",
              {{"true", true}, {"false", true}, {"0", false}, {"\"true\"", false}});
  ExpectCases(R"({"type": "null"})", {{"null", true}, {"0", false}, {"false", false}});
  ExpectCases(R"({"type": "array"})", {{"[]", true}, {"{}", false}});
  ExpectCases(R"({"type": "object"})", {{"{}", true}, {"[]", false}});
}

TEST(JsonSchemaTest, TypeArray) {
  ExpectCases(R"({"type": ["string", "null"]})",
              {{"\"a\"", true}, {"null", true}, {"1", false}, {"{}", false}});
  ExpectCases(R"({"type": ["integer", "object"]})",
              {{"2", true}, {"2.0", true}, {"{}", true}, {"2.5", false}, {"[]", false}});
}

// ---- enum and const ----

TEST(JsonSchemaTest, Enum) {
  ExpectCases(R"({"enum": ["red", "green", 3, null, {"a": [1]}]})", {{"\"red\"", true},
                                                                     {"\"blue\"", false},
                                                                     {"3", true},
                                                                     {"3.0", true},
                                                                     {"null", true},
                                                                     {"{\"a\": [1.0]}", true},
                                                                     {"{\"a\": [2]}", false},
                                                                     {"false", false}});
  // false is not 0 and true is not 1.
  ExpectCases(R"({"enum": [0, 1]})", {{"false", false}, {"true", false}, {"0.0", true}});
  ExpectCases(R"({"enum": []})", {{"1", false}, {"null", false}});
}

TEST(JsonSchemaTest, Const) {
  ExpectCases(R"({"const": 2})", {{"2", true}, {"2.0", true}, {"3", false}, {"\"2\"", false}});
  ExpectCases(R"({"const": {"a": 1, "b": [true, null]}})",
              {{"{\"b\": [true, null], \"a\": 1}", true},
               {"{\"a\": 1, \"b\": [true]}", false},
               {"{\"a\": 1, \"b\": [true, null], \"c\": 0}", false}});
  ExpectCases(R"({"const": null})", {{"null", true}, {"0", false}, {"\"\"", false}});
  ExpectCases(R"({"const": false})", {{"false", true}, {"0", false}});
  ExpectCases(R"({"const": [1, 2]})", {{"[1, 2]", true}, {"[2, 1]", false}});
}

// ---- Numbers ----

TEST(JsonSchemaTest, MinimumMaximum) {
  ExpectCases(R"({"minimum": 1.1, "maximum": 3})", {{"1.1", true},
                                                    {"1", false},
                                                    {"3", true},
                                                    {"3.0", true},
                                                    {"3.0000001", false},
                                                    {"2", true},
                                                    {"\"100\"", true}});
  ExpectCases(R"({"minimum": -2})", {{"-2", true}, {"-3", false}, {"-2.0001", false}});
}

TEST(JsonSchemaTest, ExclusiveBounds) {
  ExpectCases(R"({"exclusiveMinimum": 1, "exclusiveMaximum": 3.0})",
              {{"1", false}, {"1.0001", true}, {"2", true}, {"3", false}, {"2.9999", true}});
}

TEST(JsonSchemaTest, NumbersCompareExactlyAcrossRepresentations) {
  // uint64 beyond int64, and doubles that cannot represent the integer exactly.
  ExpectCases(R"({"maximum": 18446744073709551615})",
              {{"18446744073709551615", true}, {"18446744073709551616.0", false}});
  ExpectCases(R"({"minimum": 9223372036854775808})",
              {{"9223372036854775807", false}, {"9223372036854775808", true}, {"-1", false}});
  ExpectCases(R"({"maximum": 9007199254740993})",
              {{"9007199254740993", true}, {"9007199254740994", false}});
  ExpectCases(R"({"exclusiveMaximum": 0.5})", {{"0", true}, {"1", false}});
  ExpectCases(R"({"const": 18446744073709551615})",
              {{"18446744073709551615", true}, {"18446744073709551614", false}});
}

TEST(JsonSchemaTest, MultipleOf) {
  ExpectCases(
      R"({"multipleOf": 2})",
      {{"10", true}, {"7", false}, {"-4", true}, {"4.0", true}, {"4.5", false}, {"\"3\"", true}});
  ExpectCases(R"({"multipleOf": 1.5})", {{"0", true}, {"4.5", true}, {"35", false}});
  ExpectCases(R"({"multipleOf": 0.0001})", {{"0.0075", true}, {"0.00751", false}});
  ExpectCases(R"({"multipleOf": 0.01})", {{"19.99", true}, {"19.995", false}});
  ExpectCases(R"({"type": "integer", "multipleOf": 0.123456789})", {{"1e308", false}});
  ExpectCases(R"({"multipleOf": 1e-8})", {{"12391239123", true}});
  ExpectCases(R"({"multipleOf": 3})",
              {{"18446744073709551615", true}, {"18446744073709551614", false}});
}

// ---- Strings ----

TEST(JsonSchemaTest, LengthCountsCodePoints) {
  ExpectCases(R"({"minLength": 2, "maxLength": 3})", {{"\"a\"", false},
                                                      {"\"ab\"", true},
                                                      {"\"abc\"", true},
                                                      {"\"abcd\"", false},
                                                      {"\"\\u00e9\\u00e9\"", true},
                                                      {"\"\\ud83d\\udca9\\ud83d\\udca9\"", true},
                                                      {"\"\\u65e5\\u672c\\u8a9e\\u8a9e\"", false},
                                                      {"5", true}});
  ExpectCases(R"({"maxLength": 2.0})", {{"\"ab\"", true}, {"\"abc\"", false}});
}

TEST(JsonSchemaTest, PatternIsAnUnanchoredSearch) {
  ExpectCases(R"({"pattern": "^a*$"})", {{"\"aaa\"", true}, {"\"abc\"", false}, {"1", true}});
  ExpectCases(R"({"pattern": "b"})", {{"\"abc\"", true}, {"\"xyz\"", false}});
  ExpectCases(R"({"pattern": "^[a-z]+-\\d{2,3}$"})",
              {{"\"ab-12\"", true}, {"\"ab-1\"", false}, {"\"AB-12\"", false}});
}

TEST(JsonSchemaTest, PatternSeesCodePointsAndEcmaScriptEscapes) {
  ExpectCases(R"({"pattern": "^.$"})", {{"\"\\u00e9\"", true}, {"\"\\ud83d\\udc32\"", true}});
  ExpectCases(R"({"pattern": "^[\\u00e0-\\u00ff]+$"})",
              {{"\"\\u00e9\\u00e8\"", true}, {"\"e\"", false}});
  ExpectCases(R"({"pattern": "^\\s$"})",
              {{"\"\\u00a0\"", true}, {"\"\\u2003\"", true}, {"\"\\t\"", true}, {"\"a\"", false}});
  ExpectCases(R"({"pattern": "^\\S$"})", {{"\"\\u00a0\"", false}, {"\"a\"", true}});
  ExpectCases(R"({"pattern": "^\\cC$"})", {{"\"\\u0003\"", true}, {"\"C\"", false}});
  ExpectCases(R"({"pattern": "^\\d+$"})", {{"\"123\"", true}, {"\"\\u0661\"", false}});
}

TEST(JsonSchemaTest, PatternHandlesLongStringsWithoutRecursion) {
  const std::string long_string = "\"" + std::string(200000, 'a') + "\"";
  ExpectCases(R"({"pattern": "^(a|b)*$"})", {{long_string.c_str(), true}});
  ExpectCases(R"({"pattern": "^[a-z]*c$"})", {{long_string.c_str(), false}});
}

TEST(JsonSchemaTest, PatternWithBackReferenceIsBoundedNotFatal) {
  ExpectCases(R"({"pattern": "^(a)\\1$"})", {{"\"aa\"", true}, {"\"ab\"", false}});
  const std::string long_string = "\"" + std::string(100000, 'a') + "\"";
  const auto errors = Check(R"({"pattern": "^(a)\\1*$"})", long_string);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_TRUE(Contains(errors[0], "could not be checked")) << errors[0];
}

TEST(JsonSchemaTest, FormatIsAnAnnotationByDefault) {
  ExpectCases(R"({"format": "email"})", {{"\"not an email\"", true}, {"\"a@b.c\"", true}});
  ExpectCases(R"({"format": "date-time"})", {{"\"yesterday\"", true}});
  ExpectCases(R"({"format": "no-such-format"})", {{"\"x\"", true}});
}

TEST(JsonSchemaTest, FormatAssertionIsOptIn) {
  const JsonSchemaOptions strict{.validate_formats = true};
  ExpectCases(R"({"format": "date-time"})",
              {{"\"1963-06-19T08:30:06.283185Z\"", true},
               {"\"1963-06-19t08:30:06z\"", true},
               {"\"1963-06-19T08:30:06+05:30\"", true},
               {"\"1998-12-31T23:59:60Z\"", true},
               {"\"1998-12-31T15:59:60-08:00\"", true},
               {"\"1998-12-31T22:59:60Z\"", false},
               {"\"1990-02-31T15:59:59Z\"", false},
               {"\"1963-06-19 08:30:06Z\"", false},
               {"\"1963-06-19T08:30:06\"", false},
               {"\"2020-13-01T00:00:00Z\"", false},
               {"12", true}},
              strict);
  ExpectCases(R"({"format": "date"})",
              {{"\"2020-02-29\"", true},
               {"\"2021-02-29\"", false},
               {"\"2000-02-29\"", true},
               {"\"1900-02-29\"", false},
               {"\"2020-1-01\"", false}},
              strict);
  ExpectCases(R"({"format": "time"})",
              {{"\"08:30:06Z\"", true}, {"\"08:30:06\"", false}, {"\"24:00:00Z\"", false}}, strict);
  ExpectCases(R"({"format": "email"})",
              {{"\"joe.bloggs@example.com\"", true},
               {"\"te~st@example.com\"", true},
               {"\"\\\"joe bloggs\\\"@example.com\"", true},
               {"\"joe@[127.0.0.1]\"", true},
               {"\"joe@[IPv6:::1]\"", true},
               {"\"2962\"", false},
               {"\".test@example.com\"", false},
               {"\"te..st@example.com\"", false},
               {"\"joe@-example.com\"", false}},
              strict);
  ExpectCases(R"({"format": "uri"})",
              {{"\"http://foo.bar/?baz=qux#quux\"", true},
               {"\"urn:oasis:names:specification:docbook\"", true},
               {"\"ldap://[2001:db8::7]/c=GB?objectClass?one\"", true},
               {"\"mailto:John.Doe@example.com\"", true},
               {"\"/abc\"", false},
               {"\"http:// shouldfail.com\"", false},
               {"\"http://example.com/%6G\"", false},
               {"\"http://example.com:abc/path\"", false},
               {"\"1http://example.com\"", false}},
              strict);
  ExpectCases(R"({"format": "uuid"})",
              {{"\"2EB8AA08-AA98-11EA-B4AA-73B441D16380\"", true},
               {"\"2eb8aa08-aa98-11ea-b4aa-73b441d16380\"", true},
               {"\"2eb8aa08aa9811eab4aa73b441d16380\"", false},
               {"\"2eb8aa08-aa98-11ea-b4aa-73b441d1638g\"", false}},
              strict);
  ExpectCases(R"({"format": "hostname"})", {{"\"-not-checked-\"", true}}, strict);
  const auto errors = Check(R"({"format": "uuid"})", "\"nope\"", strict);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], "/: string is not a valid uuid");
}

// ---- Arrays ----

TEST(JsonSchemaTest, ItemsAndPrefixItems) {
  ExpectCases(R"({"items": {"type": "integer"}})",
              {{"[]", true}, {"[1, 2]", true}, {"[1, \"x\"]", false}, {"{\"0\": \"x\"}", true}});
  ExpectCases(R"({"prefixItems": [{"type": "integer"}, {"type": "string"}]})",
              {{"[1, \"a\"]", true},
               {"[1]", true},
               {"[]", true},
               {"[\"a\", 1]", false},
               {"[1, \"a\", null, {}]", true}});
  ExpectCases(R"({"prefixItems": [{"type": "integer"}], "items": {"type": "string"}})",
              {{"[1, \"a\", \"b\"]", true}, {"[1, \"a\", 2]", false}, {"[\"a\"]", false}});
  ExpectCases(R"({"prefixItems": [{}, {}], "items": false})",
              {{"[1, 2]", true}, {"[1]", true}, {"[1, 2, 3]", false}});
  ExpectCases(R"({"items": false})", {{"[]", true}, {"[1]", false}});
}

TEST(JsonSchemaTest, LegacyTupleItems) {
  // draft-07 array-form "items" with "additionalItems".
  ExpectCases(R"({"items": [{"type": "integer"}], "additionalItems": {"type": "string"}})",
              {{"[1, \"a\"]", true}, {"[1, 2]", false}, {"[\"a\"]", false}});
  ExpectCases(R"({"items": [{}], "additionalItems": false})", {{"[1]", true}, {"[1, 2]", false}});
}

TEST(JsonSchemaTest, MinItemsMaxItems) {
  ExpectCases(
      R"({"minItems": 1, "maxItems": 2})",
      {{"[]", false}, {"[1]", true}, {"[1, 2]", true}, {"[1, 2, 3]", false}, {"\"\"", true}});
}

TEST(JsonSchemaTest, UniqueItems) {
  ExpectCases(R"({"uniqueItems": true})", {{"[1, 2, 3]", true},
                                           {"[1, 2, 1]", false},
                                           {"[1, 1.0]", false},
                                           {"[0, false]", true},
                                           {"[1, true]", true},
                                           {"[{\"a\": 1, \"b\": 2}, {\"b\": 2, \"a\": 1}]", false},
                                           {"[{\"a\": 1}, {\"a\": 2}]", true},
                                           {"[[1], [1.0]]", false},
                                           {"[[1], [true]]", true},
                                           {"[\"a\", \"A\"]", true},
                                           {"[null, null]", false},
                                           {"[]", true}});
  ExpectCases(R"({"uniqueItems": false})", {{"[1, 1]", true}});
}

TEST(JsonSchemaTest, UniqueItemsScalesToLargeArrays) {
  json::array items;
  for (int i = 0; i < 50000; ++i) items.emplace_back(i);
  auto schema = JsonSchema::Compile(json::parse(R"({"uniqueItems": true})"));
  ASSERT_TRUE(schema);
  EXPECT_TRUE(schema->Validate(items).empty());
  items.emplace_back(12345.0);
  const auto errors = schema->Validate(items);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], "/: array items 12345 and 50000 are equal, but items must be unique");
}

TEST(JsonSchemaTest, Contains) {
  ExpectCases(R"({"contains": {"minimum": 5}})",
              {{"[3, 4, 5]", true}, {"[2, 3, 4]", false}, {"[]", false}, {"{}", true}});
  ExpectCases(R"({"contains": true})", {{"[\"x\"]", true}, {"[]", false}});
  ExpectCases(R"({"contains": false})", {{"[1]", false}, {"[]", false}, {"\"x\"", true}});
}

TEST(JsonSchemaTest, MinContainsMaxContains) {
  ExpectCases(R"({"contains": {"const": 1}, "minContains": 2, "maxContains": 3})",
              {{"[1]", false},
               {"[1, 1]", true},
               {"[1, 2, 1, 1]", true},
               {"[1, 1, 1, 1]", false},
               {"[2, 2]", false}});
  ExpectCases(R"({"contains": {"const": 1}, "minContains": 0})", {{"[]", true}, {"[2]", true}});
  ExpectCases(R"({"contains": {"const": 1}, "minContains": 0, "maxContains": 1})",
              {{"[]", true}, {"[1, 1]", false}});
  // Without contains, minContains/maxContains do nothing.
  ExpectCases(R"({"minContains": 2, "maxContains": 0})", {{"[1]", true}});
}

// ---- Objects ----

TEST(JsonSchemaTest, PropertiesAndRequired) {
  ExpectCases(R"({"properties": {"a": {"type": "integer"}, "b": {"type": "string"}},
                  "required": ["a"]})",
              {{"{\"a\": 1, \"b\": \"x\"}", true},
               {"{\"a\": 1}", true},
               {"{\"b\": \"x\"}", false},
               {"{\"a\": \"1\"}", false},
               {"{\"a\": 1, \"b\": 2}", false},
               {"{\"a\": 1, \"c\": null}", true},
               {"[]", true}});
  ExpectCases(R"({"properties": {"x": false}})", {{"{}", true}, {"{\"x\": 1}", false}});
}

TEST(JsonSchemaTest, PropertyNamesWithSpecialCharacters) {
  ExpectCases(R"({"properties": {"foo\nbar": {"type": "number"}, "a/b": {"type": "number"},
                                 "__proto__": {"type": "number"}}})",
              {{"{\"foo\\nbar\": 1, \"a/b\": 2, \"__proto__\": 3}", true},
               {"{\"a/b\": \"x\"}", false},
               {"{\"__proto__\": \"x\"}", false}});
}

TEST(JsonSchemaTest, PatternProperties) {
  ExpectCases(R"({"patternProperties": {"^f": {"type": "integer"}, "o$": {"minimum": 10}}})",
              {{"{\"foo\": 12}", true},
               {"{\"foo\": 5}", false},
               {"{\"fa\": \"x\"}", false},
               {"{\"bar\": \"x\"}", true},
               {"{\"xo\": 11}", true}});
}

TEST(JsonSchemaTest, AdditionalProperties) {
  ExpectCases(R"({"properties": {"a": {}}, "patternProperties": {"^x-": {}},
                  "additionalProperties": false})",
              {{"{\"a\": 1, \"x-y\": 2}", true}, {"{\"b\": 1}", false}, {"{}", true}});
  ExpectCases(R"({"properties": {"a": {}}, "additionalProperties": {"type": "boolean"}})",
              {{"{\"a\": 1, \"b\": true}", true}, {"{\"a\": 1, \"b\": 1}", false}});
  ExpectCases(R"({"additionalProperties": {"type": "string"}})",
              {{"{\"a\": \"x\"}", true}, {"{\"a\": 1}", false}});
}

TEST(JsonSchemaTest, MinPropertiesMaxProperties) {
  ExpectCases(R"({"minProperties": 1, "maxProperties": 2})",
              {{"{}", false},
               {"{\"a\": 1}", true},
               {"{\"a\": 1, \"b\": 2}", true},
               {"{\"a\": 1, \"b\": 2, \"c\": 3}", false},
               {"[]", true}});
}

TEST(JsonSchemaTest, DependentRequired) {
  ExpectCases(R"({"dependentRequired": {"card": ["billing", "cvv"]}})",
              {{"{}", true},
               {"{\"billing\": 1}", true},
               {"{\"card\": 1, \"billing\": 1, \"cvv\": 1}", true},
               {"{\"card\": 1, \"billing\": 1}", false},
               {"[\"card\"]", true}});
}

TEST(JsonSchemaTest, DependentSchemas) {
  ExpectCases(R"({"dependentSchemas": {"bar": {"properties": {"foo": {"type": "integer"},
                                                               "bar": {"type": "integer"}}}}})",
              {{"{\"foo\": 1, \"bar\": 2}", true},
               {"{\"foo\": \"quux\"}", true},
               {"{\"foo\": \"quux\", \"bar\": 2}", false},
               {"{\"bar\": \"x\"}", false}});
  ExpectCases(R"({"dependentSchemas": {"foo": false}})",
              {{"{\"bar\": 1}", true}, {"{\"foo\": 1}", false}});
}

TEST(JsonSchemaTest, LegacyDependencies) {
  ExpectCases(R"({"dependencies": {"a": ["b"], "c": {"required": ["d"]}}})",
              {{"{\"a\": 1, \"b\": 1}", true},
               {"{\"a\": 1}", false},
               {"{\"c\": 1, \"d\": 1}", true},
               {"{\"c\": 1}", false}});
}

TEST(JsonSchemaTest, PropertyNames) {
  ExpectCases(
      R"({"propertyNames": {"maxLength": 3, "pattern": "^[a-z]+$"}})",
      {{"{\"abc\": 1}", true}, {"{\"abcd\": 1}", false}, {"{\"AB\": 1}", false}, {"{}", true}});
  ExpectCases(R"({"propertyNames": false})", {{"{}", true}, {"{\"a\": 1}", false}});
}

// ---- Applicators ----

TEST(JsonSchemaTest, AllOf) {
  ExpectCases(R"({"allOf": [{"type": "integer"}, {"minimum": 2}]})",
              {{"3", true}, {"1", false}, {"\"x\"", false}});
  ExpectCases(R"({"allOf": [true, false]})", {{"1", false}});
}

TEST(JsonSchemaTest, AnyOf) {
  ExpectCases(R"({"anyOf": [{"type": "integer"}, {"minimum": 2}]})",
              {{"1", true}, {"2.5", true}, {"1.5", false}});
  ExpectCases(R"({"anyOf": [false, true]})", {{"1", true}});
}

TEST(JsonSchemaTest, OneOf) {
  ExpectCases(R"({"oneOf": [{"type": "integer"}, {"minimum": 2}]})",
              {{"1", true}, {"2.5", true}, {"3", false}, {"1.5", false}});
  ExpectCases(R"({"oneOf": [true, true]})", {{"1", false}});
}

TEST(JsonSchemaTest, Not) {
  ExpectCases(R"({"not": {"type": "integer"}})", {{"\"x\"", true}, {"1", false}});
  ExpectCases(R"({"not": true})", {{"1", false}});
  ExpectCases(R"({"not": false})", {{"1", true}});
}

TEST(JsonSchemaTest, IfThenElse) {
  ExpectCases(R"({"if": {"exclusiveMaximum": 0}, "then": {"minimum": -10},
                  "else": {"multipleOf": 2}})",
              {{"-1", true}, {"-100", false}, {"4", true}, {"3", false}});
  ExpectCases(R"({"if": {"const": 1}, "then": false})", {{"1", false}, {"2", true}});
  ExpectCases(R"({"then": false, "else": false})", {{"1", true}});  // ignored without "if"
  ExpectCases(R"({"if": false, "else": {"type": "string"}})", {{"\"x\"", true}, {"1", false}});
}

// ---- References ----

TEST(JsonSchemaTest, RefToRootAndDefs) {
  ExpectCases(R"({"properties": {"foo": {"$ref": "#"}}, "additionalProperties": false})",
              {{"{\"foo\": false}", true},
               {"{\"foo\": {\"foo\": {}}}", true},
               {"{\"bar\": false}", false},
               {"{\"foo\": {\"bar\": false}}", false}});
  ExpectCases(R"({"$defs": {"positive": {"type": "integer", "exclusiveMinimum": 0}},
                  "properties": {"n": {"$ref": "#/$defs/positive"}}})",
              {{"{\"n\": 1}", true}, {"{\"n\": 0}", false}});
  ExpectCases(R"({"definitions": {"s": {"type": "string"}}, "items": {"$ref": "#/definitions/s"}})",
              {{"[\"a\"]", true}, {"[1]", false}});
}

TEST(JsonSchemaTest, RefWithPointerEscapes) {
  ExpectCases(R"({"$defs": {"a/b": {"type": "integer"}, "c~d": {"type": "string"},
                            "e%f": {"type": "null"}},
                  "properties": {"x": {"$ref": "#/$defs/a~1b"}, "y": {"$ref": "#/$defs/c~0d"},
                                 "z": {"$ref": "#/$defs/e%25f"}}})",
              {{"{\"x\": 1, \"y\": \"s\", \"z\": null}", true},
               {"{\"x\": \"1\"}", false},
               {"{\"y\": 1}", false},
               {"{\"z\": 1}", false}});
}

TEST(JsonSchemaTest, RefToPropertiesAndArrayIndices) {
  ExpectCases(R"({"prefixItems": [{"type": "integer"}, {"$ref": "#/prefixItems/0"}]})",
              {{"[1, 2]", true}, {"[1, \"x\"]", false}});
  ExpectCases(R"({"properties": {"a": {"type": "integer"}, "b": {"$ref": "#/properties/a"}}})",
              {{"{\"b\": 2}", true}, {"{\"b\": \"2\"}", false}});
}

TEST(JsonSchemaTest, RefIntoAnUnknownKeyword) {
  ExpectCases(R"({"x-shared": {"positive": {"minimum": 0}},
                  "properties": {"n": {"$ref": "#/x-shared/positive"}}})",
              {{"{\"n\": 1}", true}, {"{\"n\": -1}", false}});
}

TEST(JsonSchemaTest, RefSiblingsAreEvaluated) {
  ExpectCases(R"({"$defs": {"int": {"type": "integer"}}, "$ref": "#/$defs/int", "maximum": 5})",
              {{"3", true}, {"7", false}, {"\"a\"", false}});
}

TEST(JsonSchemaTest, RecursiveSchema) {
  const char* tree = R"({
    "$defs": {"node": {"type": "object", "required": ["value"],
                       "properties": {"value": {"type": "number"},
                                      "children": {"type": "array",
                                                   "items": {"$ref": "#/$defs/node"}}}}},
    "$ref": "#/$defs/node"})";
  ExpectCases(tree,
              {{R"({"value": 1, "children": [{"value": 2}, {"value": 3, "children": []}]})", true},
               {R"({"value": 1, "children": [{"value": 2}, {"children": []}]})", false}});
  const auto errors =
      Check(tree, R"({"value": 1, "children": [{"value": 2, "children": [{"value": "x"}]}]})");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], "/children/0/children/0/value: expected number, got string");
}

TEST(JsonSchemaTest, AnchorsAndIds) {
  ExpectCases(R"({"$defs": {"A": {"$anchor": "foo", "type": "integer"}}, "$ref": "#foo"})",
              {{"1", true}, {"\"a\"", false}});
  ExpectCases(R"({"$id": "http://example.com/root.json",
                  "$defs": {"A": {"$id": "nested.json", "$defs": {"B": {"type": "integer"}}}},
                  "$ref": "nested.json#/$defs/B"})",
              {{"1", true}, {"\"a\"", false}});
  ExpectCases(R"({"$id": "http://example.com/root.json",
                  "$defs": {"A": {"$id": "http://example.com/other/", "$defs": {
                    "B": {"$id": "b.json", "type": "string"}}}},
                  "$ref": "http://example.com/other/b.json"})",
              {{"\"x\"", true}, {"1", false}});
  ExpectCases(R"({"$id": "urn:uuid:deadbeef-1234-ffff-ffff-4321feebdaed",
                  "properties": {"foo": {"$ref": "#/$defs/bar"}},
                  "$defs": {"bar": {"type": "string"}}})",
              {{"{\"foo\": \"bar\"}", true}, {"{\"foo\": 12}", false}});
}

TEST(JsonSchemaTest, DynamicRef) {
  // A generic list whose item type the referring schema chooses through $dynamicAnchor.
  const char* schema = R"({
    "$id": "https://example.com/strings",
    "$ref": "list",
    "$defs": {
      "items": {"$dynamicAnchor": "items", "type": "string"},
      "list": {"$id": "list", "type": "array", "items": {"$dynamicRef": "#items"},
               "$defs": {"items": {"$dynamicAnchor": "items"}}}}})";
  ExpectCases(schema, {{"[\"a\", \"b\"]", true}, {"[\"a\", 1]", false}});
  // Without a dynamic anchor in scope, $dynamicRef behaves like $ref.
  ExpectCases(R"({"$defs": {"foo": {"type": "string"}}, "$dynamicRef": "#/$defs/foo"})",
              {{"\"x\"", true}, {"1", false}});
}

// ---- unevaluatedProperties / unevaluatedItems ----

TEST(JsonSchemaTest, UnevaluatedPropertiesSeesSiblingsAndApplicators) {
  ExpectCases(R"({"properties": {"a": {}}, "unevaluatedProperties": false})",
              {{"{\"a\": 1}", true}, {"{\"a\": 1, \"b\": 2}", false}});
  ExpectCases(R"({"allOf": [{"properties": {"a": {}}}], "properties": {"b": {}},
                  "unevaluatedProperties": false})",
              {{"{\"a\": 1, \"b\": 2}", true}, {"{\"a\": 1, \"c\": 2}", false}});
  ExpectCases(R"({"anyOf": [{"properties": {"a": {"type": "integer"}}, "required": ["a"]},
                            {"properties": {"b": {}}, "required": ["b"]}],
                  "unevaluatedProperties": false})",
              {{"{\"a\": 1}", true},
               {"{\"a\": 1, \"b\": 1}", true},
               // The failing branch's annotations do not count.
               {"{\"a\": \"x\", \"b\": 1}", false}});
  ExpectCases(R"({"oneOf": [{"properties": {"a": {}}, "required": ["a"]},
                            {"properties": {"b": {}}, "required": ["b"]}],
                  "unevaluatedProperties": false})",
              {{"{\"a\": 1}", true}, {"{\"b\": 1}", true}, {"{\"a\": 1, \"c\": 1}", false}});
  ExpectCases(R"({"if": {"properties": {"kind": {"const": "x"}}, "required": ["kind"]},
                  "then": {"properties": {"x": {}}}, "else": {"properties": {"y": {}}},
                  "unevaluatedProperties": false})",
              {{"{\"kind\": \"x\", \"x\": 1}", true},
               {"{\"kind\": \"x\", \"y\": 1}", false},
               {"{\"y\": 1}", true},
               // "if" failed, so its "kind" annotation is dropped.
               {"{\"kind\": \"z\", \"y\": 1}", false}});
  ExpectCases(R"({"patternProperties": {"^x": {}}, "unevaluatedProperties": {"type": "integer"}})",
              {{"{\"xa\": \"s\", \"b\": 1}", true}, {"{\"b\": \"s\"}", false}});
  ExpectCases(R"({"additionalProperties": true, "unevaluatedProperties": false})",
              {{"{\"a\": 1}", true}});
  ExpectCases(R"({"dependentSchemas": {"a": {"properties": {"b": {}}}},
                  "properties": {"a": {}}, "unevaluatedProperties": false})",
              {{"{\"a\": 1, \"b\": 1}", true}, {"{\"b\": 1}", false}});
}

TEST(JsonSchemaTest, UnevaluatedPropertiesThroughRefAndNesting) {
  ExpectCases(R"({"$defs": {"base": {"properties": {"a": {}}}}, "$ref": "#/$defs/base",
                  "properties": {"b": {}}, "unevaluatedProperties": false})",
              {{"{\"a\": 1, \"b\": 1}", true}, {"{\"c\": 1}", false}});
  // An inner unevaluatedProperties cannot see the outer schema's properties...
  ExpectCases(R"({"properties": {"a": {}}, "allOf": [{"unevaluatedProperties": false}]})",
              {{"{}", true}, {"{\"a\": 1}", false}});
  // ...but an outer one sees what the inner one evaluated.
  ExpectCases(R"({"allOf": [{"properties": {"a": {}}, "unevaluatedProperties": true}],
                  "unevaluatedProperties": false})",
              {{"{\"a\": 1, \"b\": 2}", true}});
  // not never contributes annotations.
  ExpectCases(R"({"not": {"not": {"properties": {"a": {}}}}, "unevaluatedProperties": false})",
              {{"{}", true}, {"{\"a\": 1}", false}});
  // Annotations are per instance location.
  ExpectCases(R"({"properties": {"o": {"properties": {"a": {}}}}, "unevaluatedProperties": false})",
              {{"{\"o\": {\"a\": 1, \"b\": 2}}", true}, {"{\"a\": 1}", false}});
}

TEST(JsonSchemaTest, UnevaluatedItems) {
  ExpectCases(R"({"prefixItems": [{"type": "string"}], "unevaluatedItems": false})",
              {{"[\"a\"]", true}, {"[\"a\", \"b\"]", false}, {"[]", true}});
  ExpectCases(R"({"items": {"type": "string"}, "unevaluatedItems": false})",
              {{"[\"a\", \"b\"]", true}});
  ExpectCases(R"({"allOf": [{"prefixItems": [true, true]}], "unevaluatedItems": {"type": "null"}})",
              {{"[1, 2, null]", true}, {"[1, 2, 3]", false}});
  ExpectCases(R"({"contains": {"type": "string"}, "unevaluatedItems": {"type": "integer"}})",
              {{"[\"a\", 1, \"b\", 2]", true}, {"[\"a\", 1.5]", false}});
  ExpectCases(R"({"anyOf": [{"prefixItems": [{"const": "a"}]},
                            {"prefixItems": [true, {"const": "b"}]}],
                  "unevaluatedItems": false})",
              {{"[\"a\"]", true},
               {"[\"a\", \"b\"]", true},
               {"[\"x\", \"b\"]", true},
               {"[\"a\", \"c\"]", false}});
  ExpectCases(R"({"if": {"prefixItems": [{"const": 1}]}, "then": {"prefixItems": [true, {}]},
                  "unevaluatedItems": false})",
              {{"[1, 2]", true}, {"[1, 2, 3]", false}, {"[2]", false}});
}

// ---- Error messages ----

TEST(JsonSchemaTest, ErrorMessagesNameTheInstanceLocation) {
  const char* schema = R"({
    "type": "object",
    "required": ["text"],
    "properties": {
      "text": {"type": "string"},
      "count": {"type": "integer", "minimum": 0},
      "tags": {"type": "array", "items": {"type": "string", "maxLength": 3}},
      "a/b": {"type": "string"}
    },
    "additionalProperties": false})";
  EXPECT_EQ(Check(schema, R"({"text": "x", "count": "3"})"),
            std::vector<std::string>{"/count: expected integer, got string"});
  EXPECT_EQ(Check(schema, "{}"), std::vector<std::string>{"/: missing required property 'text'"});
  EXPECT_EQ(Check(schema, R"({"text": "", "tags": ["ok", "long", 5]})"),
            (std::vector<std::string>{"/tags/1: string must be at most 3 characters long, got 4",
                                      "/tags/2: expected string, got integer"}));
  EXPECT_EQ(Check(schema, R"({"text": "", "a/b": 1})"),
            std::vector<std::string>{"/a~1b: expected string, got integer"});
  EXPECT_EQ(
      Check(schema, R"({"text": "", "extra": 1})"),
      std::vector<std::string>{"/: property 'extra' is not allowed (no additional properties)"});
  EXPECT_EQ(Check(schema, "[]"), std::vector<std::string>{"/: expected object, got array"});
  EXPECT_EQ(Check(R"({"type": ["string", "null"]})", "1.5"),
            std::vector<std::string>{"/: expected null or string, got number"});
}

TEST(JsonSchemaTest, ErrorMessagesForEachKeyword) {
  auto first = [](std::string_view schema, std::string_view instance) {
    const auto errors = Check(schema, instance);
    return errors.empty() ? std::string("(valid)") : errors.front();
  };
  EXPECT_EQ(first(R"({"enum": ["a", 1]})", "2"), "/: value must be one of [\"a\",1]");
  EXPECT_EQ(first(R"({"const": {"a": 1.5}})", "2"), "/: value must be {\"a\":1.5}");
  EXPECT_EQ(first(R"({"minimum": 1.5})", "1"), "/: 1 is less than the minimum 1.5");
  EXPECT_EQ(first(R"({"maximum": 3})", "4"), "/: 4 is greater than the maximum 3");
  EXPECT_EQ(first(R"({"exclusiveMinimum": 0})", "0"), "/: 0 must be greater than 0");
  EXPECT_EQ(first(R"({"exclusiveMaximum": 0})", "0.5"), "/: 0.5 must be less than 0");
  EXPECT_EQ(first(R"({"multipleOf": 3})", "7"), "/: 7 is not a multiple of 3");
  EXPECT_EQ(first(R"({"minLength": 2})", "\"\\u00e9\""),
            "/: string must be at least 2 characters long, got 1");
  EXPECT_EQ(first(R"({"pattern": "^a"})", "\"b\""), "/: string does not match pattern \"^a\"");
  EXPECT_EQ(first(R"({"minItems": 2})", "[1]"), "/: array must have at least 2 items, got 1");
  EXPECT_EQ(first(R"({"maxItems": 0})", "[1]"), "/: array must have at most 0 items, got 1");
  EXPECT_EQ(first(R"({"uniqueItems": true})", "[1, 2, 1]"),
            "/: array items 0 and 2 are equal, but items must be unique");
  EXPECT_EQ(first(R"({"contains": {"type": "string"}})", "[1]"),
            "/: array must contain at least 1 item matching \"contains\", found 0");
  EXPECT_EQ(first(R"({"contains": {"type": "string"}, "maxContains": 1})", "[\"a\", \"b\"]"),
            "/: array must contain at most 1 item matching \"contains\", found 2");
  EXPECT_EQ(first(R"({"prefixItems": [{}], "items": false})", "[1, 2]"),
            "/: array must have at most 1 items, got 2");
  EXPECT_EQ(first(R"({"minProperties": 1})", "{}"),
            "/: object must have at least 1 properties, got 0");
  EXPECT_EQ(first(R"({"maxProperties": 0})", "{\"a\": 1}"),
            "/: object must have at most 0 properties, got 1");
  EXPECT_EQ(first(R"({"dependentRequired": {"a": ["b"]}})", "{\"a\": 1}"),
            "/: missing property 'b', required when 'a' is present");
  EXPECT_EQ(first(R"({"propertyNames": {"maxLength": 2}})", "{\"abc\": 1}"),
            "/: property name 'abc' is invalid: string must be at most 2 characters long, got 3");
  EXPECT_EQ(first(R"({"properties": {"x": false}})", "{\"x\": 1}"),
            "/: property 'x' is not allowed");
  EXPECT_EQ(first(R"({"anyOf": [{"type": "string"}, {"required": ["a"]}]})", "{}"),
            "/: value does not match any schema in anyOf: [0] /: expected string, got object; "
            "[1] /: missing required property 'a'");
  EXPECT_EQ(first(R"({"oneOf": [{"type": "integer"}, {"minimum": 0}]})", "1"),
            "/: value matches oneOf schemas 0 and 1, but must match exactly one");
  EXPECT_EQ(first(R"({"oneOf": [{"type": "integer"}]})", "\"x\""),
            "/: value does not match any schema in oneOf: [0] /: expected integer, got string");
  EXPECT_EQ(first(R"({"not": {"type": "integer"}})", "1"),
            "/: value must not match the schema in \"not\"");
  EXPECT_EQ(first(R"({"if": {"type": "integer"}, "then": {"minimum": 5}})", "1"),
            "/: 1 is less than the minimum 5");
  EXPECT_EQ(first(R"({"unevaluatedProperties": false})", "{\"x\": 1}"),
            "/: property 'x' is not allowed (unevaluated property)");
  EXPECT_EQ(first(R"({"unevaluatedItems": false})", "[1]"),
            "/: item 0 is not allowed (unevaluated item)");
  EXPECT_EQ(first("false", "1"), "/: no value is allowed here (the schema is false)");
}

TEST(JsonSchemaTest, MaxErrorsLimitsTheMessages) {
  const char* schema = R"({"items": {"type": "string"}})";
  const char* instance = "[1, 2, 3, 4, 5]";
  EXPECT_EQ(Check(schema, instance).size(), 5u);
  EXPECT_EQ(Check(schema, instance, {}, 2).size(), 2u);
  EXPECT_EQ(Check(schema, instance, {}, 1).size(), 1u);
  // Zero still reports that the instance is invalid.
  EXPECT_EQ(Check(schema, instance, {}, 0).size(), 1u);
  EXPECT_EQ(Check(schema, "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]").size(), 10u);
  EXPECT_TRUE(Check(schema, "[\"a\"]", {}, 0).empty());
}

TEST(JsonSchemaTest, ReportsSeveralKeywordsOfOneSchema) {
  const auto errors = Check(R"({"minLength": 5, "pattern": "^[0-9]+$"})", "\"ab\"");
  EXPECT_EQ(errors, (std::vector<std::string>{"/: string must be at least 5 characters long, got 2",
                                              "/: string does not match pattern \"^[0-9]+$\""}));
}

// ---- Compile-time refusals ----

TEST(JsonSchemaTest, RefusesNonSchemas) {
  EXPECT_EQ(CompileError("5"),
            "invalid schema at /: a schema must be an object or a boolean, got integer");
  EXPECT_EQ(CompileError("\"string\""),
            "invalid schema at /: a schema must be an object or a boolean, got string");
  EXPECT_EQ(
      CompileError(R"({"properties": {"a": 3}})"),
      "invalid schema at /properties/a: a schema must be an object or a boolean, got integer");
  EXPECT_EQ(CompileError(R"({"items": null})"),
            "invalid schema at /items: a schema must be an object or a boolean, got null");
}

TEST(JsonSchemaTest, RefusesBadKeywordValues) {
  EXPECT_EQ(CompileError(R"({"type": 5})"),
            "invalid schema at /type: must be a string or an array of strings");
  EXPECT_TRUE(Contains(CompileError(R"({"type": "float"})"), "unknown type \"float\""));
  EXPECT_EQ(CompileError(R"({"type": []})"), "invalid schema at /type: must not be an empty array");
  EXPECT_EQ(CompileError(R"({"required": "x"})"),
            "invalid schema at /required: must be an array of strings");
  EXPECT_EQ(CompileError(R"({"required": [1]})"),
            "invalid schema at /required: must be an array of strings");
  EXPECT_EQ(CompileError(R"({"properties": {"a": {"minLength": -1}}})"),
            "invalid schema at /properties/a/minLength: must be a non-negative integer");
  EXPECT_EQ(CompileError(R"({"maxItems": 1.5})"),
            "invalid schema at /maxItems: must be a non-negative integer");
  EXPECT_EQ(CompileError(R"({"minimum": "0"})"), "invalid schema at /minimum: must be a number");
  EXPECT_EQ(CompileError(R"({"multipleOf": 0})"),
            "invalid schema at /multipleOf: must be greater than 0");
  EXPECT_EQ(CompileError(R"({"enum": "a"})"), "invalid schema at /enum: must be an array");
  EXPECT_EQ(CompileError(R"({"uniqueItems": 1})"),
            "invalid schema at /uniqueItems: must be a boolean");
  EXPECT_EQ(CompileError(R"({"allOf": []})"),
            "invalid schema at /allOf: must be a non-empty array of schemas");
  EXPECT_EQ(CompileError(R"({"anyOf": {}})"),
            "invalid schema at /anyOf: must be a non-empty array of schemas");
  EXPECT_EQ(CompileError(R"({"properties": []})"),
            "invalid schema at /properties: must be an object whose values are schemas");
  EXPECT_EQ(CompileError(R"({"dependentRequired": {"a": "b"}})"),
            "invalid schema at /dependentRequired/a: must be an array of strings");
  EXPECT_EQ(CompileError(R"({"format": 1})"), "invalid schema at /format: must be a string");
  EXPECT_EQ(CompileError(R"({"$ref": 1})"), "invalid schema at /$ref: must be a string");
  EXPECT_EQ(CompileError(R"({"$anchor": "1bad"})"),
            "invalid schema at /$anchor: must be a plain name such as \"node\"");
  EXPECT_EQ(CompileError(R"({"$id": "http://x.y/a#frag"})"),
            "invalid schema at /$id: must not contain a fragment; use $anchor");
}

TEST(JsonSchemaTest, RefusesBadPatterns) {
  EXPECT_TRUE(Contains(CompileError(R"({"pattern": "(unclosed"})"),
                       "invalid schema at /pattern: invalid regular expression \"(unclosed\""));
  EXPECT_TRUE(Contains(CompileError(R"({"patternProperties": {"[a-": {}}})"),
                       "invalid schema at /patternProperties/[a-: invalid regular expression"));
  EXPECT_TRUE(Contains(CompileError(R"({"properties": {"a/b": {"pattern": "\\p{L}"}}})"),
                       "invalid schema at /properties/a~1b/pattern: invalid regular expression"));
  EXPECT_EQ(CompileError(R"({"pattern": 5})"), "invalid schema at /pattern: must be a string");
  const std::string deep = std::string(150, '(') + "a" + std::string(150, ')');
  EXPECT_TRUE(Contains(CompileError(R"({"pattern": ")" + deep + "\"}"),
                       "groups are nested more than 100 levels deep"));
}

TEST(JsonSchemaTest, RefusesUnresolvableRefs) {
  EXPECT_TRUE(Contains(CompileError(R"({"$ref": "#/$defs/missing"})"),
                       "invalid schema at /$ref: cannot resolve \"#/$defs/missing\""));
  EXPECT_TRUE(Contains(CompileError(R"({"items": {"$ref": "#nowhere"}})"),
                       "invalid schema at /items/$ref: cannot resolve \"#nowhere\""));
  EXPECT_TRUE(Contains(CompileError(R"({"$ref": "https://example.com/other.json"})"),
                       "no schema with $id \"https://example.com/other.json\""));
  EXPECT_TRUE(Contains(CompileError(R"({"$ref": "#/a~2b"})"), "malformed JSON pointer"));
  EXPECT_TRUE(Contains(CompileError(R"({"$defs": {"a": {"$ref": "#/$defs/a/items"}}})"),
                       "invalid schema at /$defs/a/$ref"));
  EXPECT_TRUE(Contains(CompileError(R"({"$defs": {"a": {"$id": "x"}, "b": {"$id": "x"}}})"),
                       "duplicate $id"));
  // A ref to a value that is not a schema.
  EXPECT_TRUE(Contains(CompileError(R"({"x": 5, "$ref": "#/x"})"),
                       "a schema must be an object or a boolean"));
}

TEST(JsonSchemaTest, IgnoresUnknownKeywordsAndAnnotations) {
  ExpectCases(R"({"title": "T", "description": "D", "default": 5, "examples": [1],
                  "deprecated": true, "readOnly": true, "x-custom": {"type": "string"},
                  "$comment": "c", "$schema": "https://json-schema.org/draft/2020-12/schema",
                  "contentMediaType": "application/json", "type": "integer"})",
              {{"1", true}, {"\"1\"", false}});
}

// ---- Recursion guards ----

TEST(JsonSchemaTest, RefCycleWithoutInputIsAValidationError) {
  const auto errors = Check(R"({"$ref": "#"})", "1");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_TRUE(Contains(errors[0], "/: schema recursion limit reached")) << errors[0];
  const auto mutual = Check(R"({"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}},
                                "properties": {"x": {"$ref": "#/$defs/a"}}})",
                            R"({"x": 1})");
  ASSERT_EQ(mutual.size(), 1u);
  EXPECT_TRUE(Contains(mutual[0], "/x: schema recursion limit reached")) << mutual[0];
  // Hidden under "not" or anyOf, the limit still fails validation instead of passing silently.
  EXPECT_FALSE(Check(R"({"not": {"$ref": "#"}})", "1").empty());
  EXPECT_FALSE(Check(R"({"anyOf": [{"$ref": "#"}, true]})", "1").empty());
}

json::value Nested(int depth) {
  json::value v = json::array();
  for (int i = 0; i < depth; ++i) {
    json::array outer;
    outer.push_back(std::move(v));
    v = std::move(outer);
  }
  return v;
}

TEST(JsonSchemaTest, DeepInstancesHitADepthLimit) {
  auto schema = JsonSchema::Compile(json::parse(
      R"({"$defs": {"n": {"anyOf": [{"type": "null"}, {"type": "array",
                                                      "items": {"$ref": "#/$defs/n"}}]}},
          "$ref": "#/$defs/n"})"));
  ASSERT_TRUE(schema);
  EXPECT_TRUE(schema->Validate(Nested(60)).empty());
  const auto errors = schema->Validate(Nested(100000));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_TRUE(Contains(errors[0], "the instance is nested more than 64 levels deep"))
      << errors[0].substr(errors[0].size() - 100);
  // A schema that does not descend does not care how deep the instance is.
  auto flat = JsonSchema::Compile(json::parse(R"({"type": "array"})"));
  ASSERT_TRUE(flat);
  EXPECT_TRUE(flat->Validate(Nested(100000)).empty());
}

TEST(JsonSchemaTest, DeepSchemaNestingPerLevelHitsTheEvaluationLimit) {
  // Eight schemas per instance level: the total evaluation depth limit trips before the stack.
  auto schema = JsonSchema::Compile(json::parse(
      R"({"allOf": [{"allOf": [{"allOf": [{"allOf": [{"allOf": [{"allOf": [{"allOf": [
             {"items": {"$ref": "#"}}]}]}]}]}]}]}]})"));
  ASSERT_TRUE(schema);
  EXPECT_TRUE(schema->Validate(Nested(20)).empty());
  const auto errors = schema->Validate(Nested(250));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_TRUE(Contains(errors[0], "schema recursion limit reached")) << errors[0].substr(0, 80);
}

TEST(JsonSchemaTest, DeepSchemaDocumentsAreRefused) {
  std::string schema;
  for (int i = 0; i < 600; ++i) schema += R"({"items": )";
  schema += "true";
  for (int i = 0; i < 600; ++i) schema += "}";
  json::parse_options options;
  options.max_depth = 10000;
  auto compiled = JsonSchema::Compile(json::parse(schema, {}, options));
  ASSERT_FALSE(compiled);
  EXPECT_TRUE(Contains(compiled.error().message, "nested more than 256 levels"));
}

// ---- Thread safety ----

TEST(JsonSchemaTest, ValidatesConcurrently) {
  auto schema = JsonSchema::Compile(json::parse(R"({
    "type": "object", "required": ["name"],
    "properties": {"name": {"type": "string", "pattern": "^[a-z]+$"},
                   "tags": {"type": "array", "uniqueItems": true, "items": {"$ref": "#/$defs/t"}}},
    "$defs": {"t": {"type": "string", "minLength": 1}},
    "unevaluatedProperties": false})"));
  ASSERT_TRUE(schema);
  const json::value good = json::parse(R"({"name": "abc", "tags": ["x", "y"]})");
  const json::value bad = json::parse(R"({"name": "ABC", "tags": ["x", "x"], "z": 1})");
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      const JsonSchema copy = *schema;  // copies share the compiled form
      for (int i = 0; i < 500; ++i) {
        if (!copy.Validate(good).empty()) ++failures[t];
        if (copy.Validate(bad).size() != 3) ++failures[t];
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures, std::vector<int>(4, 0));
}

// ---- A realistic MCP tool schema ----

TEST(JsonSchemaTest, TypicalToolInputSchema) {
  const char* schema = R"({
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "properties": {
      "query": {"type": "string", "minLength": 1, "description": "What to search for"},
      "limit": {"type": "integer", "minimum": 1, "maximum": 100, "default": 10},
      "sort": {"type": "string", "enum": ["relevance", "date"]},
      "filters": {
        "type": "object",
        "properties": {"since": {"type": "string", "format": "date"},
                       "authors": {"type": "array", "items": {"type": "string"}}},
        "additionalProperties": false
      }
    },
    "required": ["query"],
    "additionalProperties": false})";
  ExpectCases(schema, {{R"({"query": "x"})", true},
                       {R"({"query": "x", "limit": 5.0, "sort": "date",
                            "filters": {"since": "2024-01-01", "authors": ["a"]}})",
                        true},
                       {R"({"query": ""})", false},
                       {R"({"query": "x", "limit": 0})", false},
                       {R"({"query": "x", "sort": "size"})", false},
                       {R"({"query": "x", "filters": {"author": "a"}})", false},
                       {R"({"limit": 5})", false}});
}

}  // namespace
}  // namespace ferry::protocol
