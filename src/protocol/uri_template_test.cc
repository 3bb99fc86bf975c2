#include "protocol/uri_template.h"

#include <map>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace ferry::protocol {
namespace {

using List = std::vector<std::string>;
using Pairs = std::vector<std::pair<std::string, std::string>>;

// The variables of RFC 6570 sections 1.2 and 3.2 (the two sets agree where they overlap).
const std::map<std::string, UriTemplate::Value>& RfcVariables() {
  static const auto* const variables = new std::map<std::string, UriTemplate::Value>{
      {"count", List{"one", "two", "three"}},
      {"dom", List{"example", "com"}},
      {"dub", "me/too"},
      {"hello", "Hello World!"},
      {"half", "50%"},
      {"var", "value"},
      {"who", "fred"},
      {"base", "http://example.com/home/"},
      {"path", "/foo/bar"},
      {"list", List{"red", "green", "blue"}},
      {"keys", Pairs{{"semi", ";"}, {"dot", "."}, {"comma", ","}}},
      {"v", "6"},
      {"x", "1024"},
      {"y", "768"},
      {"empty", ""},
      {"empty_keys", Pairs{}},
  };
  return *variables;
}

struct Example {
  const char* text;
  const char* expected;
};

void ExpectExpansions(const std::vector<Example>& examples) {
  for (const Example& e : examples) {
    auto t = UriTemplate::Parse(e.text);
    ASSERT_TRUE(t) << e.text << ": " << t.error().message;
    EXPECT_EQ(t->Expand(RfcVariables()), e.expected) << "template: " << e.text;
  }
}

// ---- Expansion: RFC 6570 section 1.2 ----

TEST(UriTemplateTest, Rfc6570Level1) {
  ExpectExpansions({{"{var}", "value"}, {"{hello}", "Hello%20World%21"}});
}

TEST(UriTemplateTest, Rfc6570Level2) {
  ExpectExpansions({{"{+var}", "value"},
                    {"{+hello}", "Hello%20World!"},
                    {"{+path}/here", "/foo/bar/here"},
                    {"here?ref={+path}", "here?ref=/foo/bar"},
                    {"X{#var}", "X#value"},
                    {"X{#hello}", "X#Hello%20World!"}});
}

TEST(UriTemplateTest, Rfc6570Level3) {
  ExpectExpansions({{"map?{x,y}", "map?1024,768"},
                    {"{x,hello,y}", "1024,Hello%20World%21,768"},
                    {"{+x,hello,y}", "1024,Hello%20World!,768"},
                    {"{+path,x}/here", "/foo/bar,1024/here"},
                    {"{#x,hello,y}", "#1024,Hello%20World!,768"},
                    {"{#path,x}/here", "#/foo/bar,1024/here"},
                    {"X{.var}", "X.value"},
                    {"X{.x,y}", "X.1024.768"},
                    {"{/var}", "/value"},
                    {"{/var,x}/here", "/value/1024/here"},
                    {"{;x,y}", ";x=1024;y=768"},
                    {"{;x,y,empty}", ";x=1024;y=768;empty"},
                    {"{?x,y}", "?x=1024&y=768"},
                    {"{?x,y,empty}", "?x=1024&y=768&empty="},
                    {"?fixed=yes{&x}", "?fixed=yes&x=1024"},
                    {"{&x,y,empty}", "&x=1024&y=768&empty="}});
}

TEST(UriTemplateTest, Rfc6570Level4) {
  ExpectExpansions({{"{var:3}", "val"},
                    {"{var:30}", "value"},
                    {"{list}", "red,green,blue"},
                    {"{list*}", "red,green,blue"},
                    {"{keys}", "semi,%3B,dot,.,comma,%2C"},
                    {"{keys*}", "semi=%3B,dot=.,comma=%2C"},
                    {"{+path:6}/here", "/foo/b/here"},
                    {"{+list}", "red,green,blue"},
                    {"{+list*}", "red,green,blue"},
                    {"{+keys}", "semi,;,dot,.,comma,,"},
                    {"{+keys*}", "semi=;,dot=.,comma=,"},
                    {"{#path:6}/here", "#/foo/b/here"},
                    {"{#list}", "#red,green,blue"},
                    {"{#list*}", "#red,green,blue"},
                    {"{#keys}", "#semi,;,dot,.,comma,,"},
                    {"{#keys*}", "#semi=;,dot=.,comma=,"},
                    {"X{.var:3}", "X.val"},
                    {"X{.list}", "X.red,green,blue"},
                    {"X{.list*}", "X.red.green.blue"},
                    {"X{.keys}", "X.semi,%3B,dot,.,comma,%2C"},
                    {"X{.keys*}", "X.semi=%3B.dot=..comma=%2C"},
                    {"{/var:1,var}", "/v/value"},
                    {"{/list}", "/red,green,blue"},
                    {"{/list*}", "/red/green/blue"},
                    {"{/list*,path:4}", "/red/green/blue/%2Ffoo"},
                    {"{/keys}", "/semi,%3B,dot,.,comma,%2C"},
                    {"{/keys*}", "/semi=%3B/dot=./comma=%2C"},
                    {"{;hello:5}", ";hello=Hello"},
                    {"{;list}", ";list=red,green,blue"},
                    {"{;list*}", ";list=red;list=green;list=blue"},
                    {"{;keys}", ";keys=semi,%3B,dot,.,comma,%2C"},
                    {"{;keys*}", ";semi=%3B;dot=.;comma=%2C"},
                    {"{?var:3}", "?var=val"},
                    {"{?list}", "?list=red,green,blue"},
                    {"{?list*}", "?list=red&list=green&list=blue"},
                    {"{?keys}", "?keys=semi,%3B,dot,.,comma,%2C"},
                    {"{?keys*}", "?semi=%3B&dot=.&comma=%2C"},
                    {"{&var:3}", "&var=val"},
                    {"{&list}", "&list=red,green,blue"},
                    {"{&list*}", "&list=red&list=green&list=blue"},
                    {"{&keys}", "&keys=semi,%3B,dot,.,comma,%2C"},
                    {"{&keys*}", "&semi=%3B&dot=.&comma=%2C"}});
}

// ---- Expansion: RFC 6570 section 3.2 ----

TEST(UriTemplateTest, Rfc6570VariableExpansion) {  // 3.2.1
  ExpectExpansions({{"{count}", "one,two,three"},
                    {"{count*}", "one,two,three"},
                    {"{/count}", "/one,two,three"},
                    {"{/count*}", "/one/two/three"},
                    {"{;count}", ";count=one,two,three"},
                    {"{;count*}", ";count=one;count=two;count=three"},
                    {"{?count}", "?count=one,two,three"},
                    {"{?count*}", "?count=one&count=two&count=three"},
                    {"{&count*}", "&count=one&count=two&count=three"}});
}

TEST(UriTemplateTest, Rfc6570SimpleStringExpansion) {  // 3.2.2
  ExpectExpansions({{"{var}", "value"},
                    {"{hello}", "Hello%20World%21"},
                    {"{half}", "50%25"},
                    {"O{empty}X", "OX"},
                    {"O{undef}X", "OX"},
                    {"{x,y}", "1024,768"},
                    {"{x,hello,y}", "1024,Hello%20World%21,768"},
                    {"?{x,empty}", "?1024,"},
                    {"?{x,undef}", "?1024"},
                    {"?{undef,y}", "?768"},
                    {"{var:3}", "val"},
                    {"{var:30}", "value"},
                    {"{list}", "red,green,blue"},
                    {"{list*}", "red,green,blue"},
                    {"{keys}", "semi,%3B,dot,.,comma,%2C"},
                    {"{keys*}", "semi=%3B,dot=.,comma=%2C"}});
}

TEST(UriTemplateTest, Rfc6570ReservedExpansion) {  // 3.2.3
  ExpectExpansions({{"{+var}", "value"},
                    {"{+hello}", "Hello%20World!"},
                    {"{+half}", "50%25"},
                    {"{base}index", "http%3A%2F%2Fexample.com%2Fhome%2Findex"},
                    {"{+base}index", "http://example.com/home/index"},
                    {"O{+empty}X", "OX"},
                    {"O{+undef}X", "OX"},
                    {"{+path}/here", "/foo/bar/here"},
                    {"here?ref={+path}", "here?ref=/foo/bar"},
                    {"up{+path}{var}/here", "up/foo/barvalue/here"},
                    {"{+x,hello,y}", "1024,Hello%20World!,768"},
                    {"{+path,x}/here", "/foo/bar,1024/here"},
                    {"{+path:6}/here", "/foo/b/here"},
                    {"{+list}", "red,green,blue"},
                    {"{+list*}", "red,green,blue"},
                    {"{+keys}", "semi,;,dot,.,comma,,"},
                    {"{+keys*}", "semi=;,dot=.,comma=,"}});
}

TEST(UriTemplateTest, Rfc6570FragmentExpansion) {  // 3.2.4
  ExpectExpansions({{"{#var}", "#value"},
                    {"{#hello}", "#Hello%20World!"},
                    {"{#half}", "#50%25"},
                    {"foo{#empty}", "foo#"},
                    {"foo{#undef}", "foo"},
                    {"{#x,hello,y}", "#1024,Hello%20World!,768"},
                    {"{#path,x}/here", "#/foo/bar,1024/here"},
                    {"{#path:6}/here", "#/foo/b/here"},
                    {"{#list}", "#red,green,blue"},
                    {"{#list*}", "#red,green,blue"},
                    {"{#keys}", "#semi,;,dot,.,comma,,"},
                    {"{#keys*}", "#semi=;,dot=.,comma=,"}});
}

TEST(UriTemplateTest, Rfc6570LabelExpansion) {  // 3.2.5
  ExpectExpansions({{"{.who}", ".fred"},
                    {"{.who,who}", ".fred.fred"},
                    {"{.half,who}", ".50%25.fred"},
                    {"www{.dom*}", "www.example.com"},
                    {"X{.var}", "X.value"},
                    {"X{.empty}", "X."},
                    {"X{.undef}", "X"},
                    {"X{.var:3}", "X.val"},
                    {"X{.list}", "X.red,green,blue"},
                    {"X{.list*}", "X.red.green.blue"},
                    {"X{.keys}", "X.semi,%3B,dot,.,comma,%2C"},
                    {"X{.keys*}", "X.semi=%3B.dot=..comma=%2C"},
                    {"X{.empty_keys}", "X"},
                    {"X{.empty_keys*}", "X"}});
}

TEST(UriTemplateTest, Rfc6570PathSegmentExpansion) {  // 3.2.6
  ExpectExpansions({{"{/who}", "/fred"},
                    {"{/who,who}", "/fred/fred"},
                    {"{/half,who}", "/50%25/fred"},
                    {"{/who,dub}", "/fred/me%2Ftoo"},
                    {"{/var}", "/value"},
                    {"{/var,empty}", "/value/"},
                    {"{/var,undef}", "/value"},
                    {"{/var,x}/here", "/value/1024/here"},
                    {"{/var:1,var}", "/v/value"},
                    {"{/list}", "/red,green,blue"},
                    {"{/list*}", "/red/green/blue"},
                    {"{/list*,path:4}", "/red/green/blue/%2Ffoo"},
                    {"{/keys}", "/semi,%3B,dot,.,comma,%2C"},
                    {"{/keys*}", "/semi=%3B/dot=./comma=%2C"}});
}

TEST(UriTemplateTest, Rfc6570PathStyleParameterExpansion) {  // 3.2.7
  ExpectExpansions({{"{;who}", ";who=fred"},
                    {"{;half}", ";half=50%25"},
                    {"{;empty}", ";empty"},
                    {"{;v,empty,who}", ";v=6;empty;who=fred"},
                    {"{;v,bar,who}", ";v=6;who=fred"},
                    {"{;x,y}", ";x=1024;y=768"},
                    {"{;x,y,empty}", ";x=1024;y=768;empty"},
                    {"{;x,y,undef}", ";x=1024;y=768"},
                    {"{;hello:5}", ";hello=Hello"},
                    {"{;list}", ";list=red,green,blue"},
                    {"{;list*}", ";list=red;list=green;list=blue"},
                    {"{;keys}", ";keys=semi,%3B,dot,.,comma,%2C"},
                    {"{;keys*}", ";semi=%3B;dot=.;comma=%2C"}});
}

TEST(UriTemplateTest, Rfc6570FormStyleQueryExpansion) {  // 3.2.8
  ExpectExpansions({{"{?who}", "?who=fred"},
                    {"{?half}", "?half=50%25"},
                    {"{?x,y}", "?x=1024&y=768"},
                    {"{?x,y,empty}", "?x=1024&y=768&empty="},
                    {"{?x,y,undef}", "?x=1024&y=768"},
                    {"{?var:3}", "?var=val"},
                    {"{?list}", "?list=red,green,blue"},
                    {"{?list*}", "?list=red&list=green&list=blue"},
                    {"{?keys}", "?keys=semi,%3B,dot,.,comma,%2C"},
                    {"{?keys*}", "?semi=%3B&dot=.&comma=%2C"}});
}

TEST(UriTemplateTest, Rfc6570FormStyleQueryContinuation) {  // 3.2.9
  ExpectExpansions({{"{&who}", "&who=fred"},
                    {"{&half}", "&half=50%25"},
                    {"?fixed=yes{&x}", "?fixed=yes&x=1024"},
                    {"{&x,y,empty}", "&x=1024&y=768&empty="},
                    {"{&var:3}", "&var=val"},
                    {"{&list}", "&list=red,green,blue"},
                    {"{&list*}", "&list=red&list=green&list=blue"},
                    {"{&keys}", "&keys=semi,%3B,dot,.,comma,%2C"},
                    {"{&keys*}", "&semi=%3B&dot=.&comma=%2C"}});
}

// ---- Encoding ----

TEST(UriTemplateTest, PercentEncodesReservedAndNonAsciiCharacters) {
  auto simple = UriTemplate::Parse("x/{v}");
  auto reserved = UriTemplate::Parse("x/{+v}");
  ASSERT_TRUE(simple && reserved);
  const std::map<std::string, UriTemplate::Value> v = {{"v", "a/b?c d#e&f=g%20\xC3\xA9~"}};
  EXPECT_EQ(simple->Expand(v), "x/a%2Fb%3Fc%20d%23e%26f%3Dg%2520%C3%A9~");
  // Reserved expansion keeps reserved characters and existing %XX, and still encodes the rest.
  EXPECT_EQ(reserved->Expand(v), "x/a/b?c%20d#e&f=g%20%C3%A9~");
  // The prefix counts code points, never splitting a UTF-8 sequence.
  auto prefix = UriTemplate::Parse("{v:2}");
  ASSERT_TRUE(prefix);
  EXPECT_EQ(prefix->Expand({{"v", "\xC3\xA9\xC3\xA8\xC3\xA0"}}), "%C3%A9%C3%A8");
}

TEST(UriTemplateTest, LiteralsThatCannotAppearInAUriAreEncoded) {
  auto t = UriTemplate::Parse("a b/\xC3\xA9/%41/{x}");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->Expand({{"x", "1"}}), "a%20b/%C3%A9/%41/1");
  auto match = t->Match("a%20b/%C3%A9/%41/1");
  ASSERT_TRUE(match);
  EXPECT_EQ(match->at("x"), "1");
}

// ---- Parse errors ----

TEST(UriTemplateTest, RefusesMalformedTemplatesNamingThePosition) {
  struct Bad {
    const char* text;
    const char* message;
  };
  const std::vector<Bad> cases = {
      {"x{a", "unclosed '{' at position 1"},
      {"{", "unclosed '{' at position 0"},
      {"a}b", "unmatched '}' at position 1"},
      {"{a{b}}", "'{' inside an expression at position 2"},
      {"{}", "empty expression at position 0"},
      {"{=a}", "reserved operator '=' at position 1"},
      {"{!a}", "reserved operator '!' at position 1"},
      {"{|a}", "reserved operator '|' at position 1"},
      {"{,a}", "reserved operator ',' at position 1"},
      {"{a,}", "invalid variable name at position 3"},
      {"{+}", "invalid variable name at position 2"},
      {"{a.}", "invalid variable name at position 3"},
      {"{.a..b}", "invalid variable name at position 4"},
      {"{-a}", "invalid variable name at position 1"},
      {"{a b}", "unexpected ' ' in expression at position 2"},
      {"{a*b}", "unexpected 'b' in expression at position 3"},
      {"{a:3*}", "unexpected '*' in expression at position 4"},
      {"{a:0}", "invalid prefix length (expected 1-9999) at position 3"},
      {"{a:10000}", "invalid prefix length (expected 1-9999) at position 3"},
      {"{a:}", "invalid prefix length (expected 1-9999) at position 3"},
      {"{a:x}", "invalid prefix length (expected 1-9999) at position 3"},
      {"{a%2}", "unexpected '%' in expression at position 2"},
  };
  for (const Bad& bad : cases) {
    auto t = UriTemplate::Parse(bad.text);
    ASSERT_FALSE(t) << bad.text;
    EXPECT_EQ(t.error().code, ErrorCode::kInvalidParams);
    EXPECT_EQ(t.error().message,
              "invalid URI template \"" + std::string(bad.text) + "\": " + bad.message);
  }
}

TEST(UriTemplateTest, AcceptsEveryVariableNameForm) {
  for (const char* text :
       {"{a}", "{A_1}", "{a.b.c}", "{%41b}", "{a:9999}", "{a*}", "{a,b:2,c*}", "plain/text", ""}) {
    EXPECT_TRUE(UriTemplate::Parse(text)) << text;
  }
}

TEST(UriTemplateTest, TextAndVariableNames) {
  auto t = UriTemplate::Parse("{a}/{+b}{?a,c*}{#d:3}");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->text(), "{a}/{+b}{?a,c*}{#d:3}");
  EXPECT_EQ(t->VariableNames(), (std::vector<std::string>{"a", "b", "c", "d"}));
  auto plain = UriTemplate::Parse("file:///etc/hosts");
  ASSERT_TRUE(plain);
  EXPECT_TRUE(plain->VariableNames().empty());
}

// ---- Matching ----

std::optional<UriVariables> MatchOf(const char* text, const char* uri) {
  auto t = UriTemplate::Parse(text);
  EXPECT_TRUE(t) << text;
  if (!t) return std::nullopt;
  return t->Match(uri);
}

TEST(UriTemplateTest, MatchesMcpResourceTemplates) {
  EXPECT_EQ(MatchOf("file:///{path}", "file:///hosts"), (UriVariables{{"path", "hosts"}}));
  EXPECT_EQ(MatchOf("file:///{path}", "file:///etc/hosts"), std::nullopt);
  EXPECT_EQ(MatchOf("file:///{+path}", "file:///etc/hosts"), (UriVariables{{"path", "etc/hosts"}}));
  EXPECT_EQ(MatchOf("fixture://items/{id}", "fixture://items/42"), (UriVariables{{"id", "42"}}));
  EXPECT_EQ(MatchOf("fixture://items/{id}", "fixture://items/a%20b%2Fc"),
            (UriVariables{{"id", "a b/c"}}));
  EXPECT_EQ(MatchOf("test://template/{id}/data", "test://template/7/data"),
            (UriVariables{{"id", "7"}}));
  EXPECT_EQ(MatchOf("{+base}/x", "http://example.com/a/b/x"),
            (UriVariables{{"base", "http://example.com/a/b"}}));
  EXPECT_EQ(MatchOf("{scheme}://{host}/{+path}", "https://example.com/a/b?c=d"),
            (UriVariables{{"scheme", "https"}, {"host", "example.com"}, {"path", "a/b?c=d"}}));
}

TEST(UriTemplateTest, MatchesQueryParametersInAnyOrder) {
  const char* t = "/users{/id}{?fields,page}";
  EXPECT_EQ(MatchOf(t, "/users"), UriVariables{});
  EXPECT_EQ(MatchOf(t, "/users/5"), (UriVariables{{"id", "5"}}));
  EXPECT_EQ(MatchOf(t, "/users/5?page=2"), (UriVariables{{"id", "5"}, {"page", "2"}}));
  EXPECT_EQ(MatchOf(t, "/users/5?page=2&fields=a,b"),
            (UriVariables{{"id", "5"}, {"fields", "a,b"}, {"page", "2"}}));
  EXPECT_EQ(MatchOf(t, "/users/5?fields=a%26b&page=2"),
            (UriVariables{{"id", "5"}, {"fields", "a&b"}, {"page", "2"}}));
  EXPECT_EQ(MatchOf(t, "/users?fields=x"), (UriVariables{{"fields", "x"}}));
  EXPECT_EQ(MatchOf(t, "/users/5?page="), (UriVariables{{"id", "5"}, {"page", ""}}));
  EXPECT_EQ(MatchOf(t, "/users/5?sort=asc"), std::nullopt);  // not a parameter of the template
  EXPECT_EQ(MatchOf(t, "/users/5/6"), std::nullopt);
  EXPECT_EQ(MatchOf(t, "/people/5"), std::nullopt);
  EXPECT_EQ(MatchOf("/search?q={q}{&page,limit}", "/search?q=cats&limit=5&page=2"),
            (UriVariables{{"q", "cats"}, {"page", "2"}, {"limit", "5"}}));
}

TEST(UriTemplateTest, MatchesEveryOperator) {
  EXPECT_EQ(MatchOf("{x,y}", "1024,768"), (UriVariables{{"x", "1024"}, {"y", "768"}}));
  EXPECT_EQ(MatchOf("{#frag}", "#a/b,c"), (UriVariables{{"frag", "a/b,c"}}));
  EXPECT_EQ(MatchOf("page{#frag}", "page"), UriVariables{});
  EXPECT_EQ(MatchOf("file{.ext}", "file.tar.gz"), (UriVariables{{"ext", "tar.gz"}}));
  EXPECT_EQ(MatchOf("www{.dom*}", "www.example.com"), (UriVariables{{"dom", "example,com"}}));
  EXPECT_EQ(MatchOf("{/list*}", "/red/green/blue"), (UriVariables{{"list", "red,green,blue"}}));
  EXPECT_EQ(MatchOf("{/a,b}", "/1/2"), (UriVariables{{"a", "1"}, {"b", "2"}}));
  EXPECT_EQ(MatchOf("{/a,b}", "/1/2/3"), std::nullopt);
  EXPECT_EQ(MatchOf("{;x,y,empty}", ";x=1024;y=768;empty"),
            (UriVariables{{"x", "1024"}, {"y", "768"}, {"empty", ""}}));
  EXPECT_EQ(MatchOf("{?list*}", "?list=red&list=green"), (UriVariables{{"list", "red,green"}}));
  EXPECT_EQ(MatchOf("{?keys*}", "?semi=%3B&dot=."), (UriVariables{{"keys", "semi,;,dot,."}}));
  EXPECT_EQ(MatchOf("?fixed=yes{&x}", "?fixed=yes&x=1024"), (UriVariables{{"x", "1024"}}));
}

TEST(UriTemplateTest, SimpleVariablesNeverCrossSlashes) {
  EXPECT_EQ(MatchOf("{a}/{b}", "x/y"), (UriVariables{{"a", "x"}, {"b", "y"}}));
  EXPECT_EQ(MatchOf("{a}/{b}", "x/y/z"), std::nullopt);
  EXPECT_EQ(MatchOf("{+a}/{b}", "x/y/z"), (UriVariables{{"a", "x/y"}, {"b", "z"}}));
  EXPECT_EQ(MatchOf("res://{id}", "res://a?b"), std::nullopt);
  EXPECT_EQ(MatchOf("res://{id}", "res://a#b"), std::nullopt);
}

TEST(UriTemplateTest, DoesNotMatchOtherUris) {
  EXPECT_EQ(MatchOf("fixture://items/{id}", "fixture://items/"), std::nullopt);
  EXPECT_EQ(MatchOf("fixture://items/{id}", "fixture://items"), std::nullopt);
  EXPECT_EQ(MatchOf("fixture://items/{id}", "fixture://other/1"), std::nullopt);
  EXPECT_EQ(MatchOf("fixture://items/{id}", "xfixture://items/1"), std::nullopt);
  EXPECT_EQ(MatchOf("test://template/{id}/data", "test://template/7/data/extra"), std::nullopt);
  EXPECT_EQ(MatchOf("test://template/{id}/data", "test://template/7/dat"), std::nullopt);
  EXPECT_EQ(MatchOf("static://a", "static://a"), UriVariables{});
  EXPECT_EQ(MatchOf("static://a", "static://ab"), std::nullopt);
  EXPECT_EQ(MatchOf("{var:3}", "val"), (UriVariables{{"var", "val"}}));
  EXPECT_EQ(MatchOf("{var:3}", "valu"), std::nullopt);
}

TEST(UriTemplateTest, RepeatedVariablesMustAgree) {
  EXPECT_EQ(MatchOf("{x}/{x}", "a/a"), (UriVariables{{"x", "a"}}));
  EXPECT_EQ(MatchOf("{x}/{x}", "a/b"), std::nullopt);
}

TEST(UriTemplateTest, ExpandThenMatchRoundTrips) {
  struct RoundTrip {
    const char* text;
    std::map<std::string, UriTemplate::Value> values;
    UriVariables expected;
  };
  const std::vector<RoundTrip> cases = {
      {"fixture://items/{id}", {{"id", "a b/c?d#e,f"}}, {{"id", "a b/c?d#e,f"}}},
      {"file:///{+path}", {{"path", "dir/sub dir/file.txt"}}, {{"path", "dir/sub dir/file.txt"}}},
      {"{scheme}://{host}/{+path}",
       {{"scheme", "https"}, {"host", "example.com"}, {"path", "a/b"}},
       {{"scheme", "https"}, {"host", "example.com"}, {"path", "a/b"}}},
      {"/users{/id}{?fields,page}",
       {{"id", "7"}, {"fields", List{"name", "email"}}, {"page", "3"}},
       {{"id", "7"}, {"fields", "name,email"}, {"page", "3"}}},
      {"/users{/id}{?fields,page}", {{"page", "1"}}, {{"page", "1"}}},
      {"/search{?q,lang}",
       {{"q", "caf\xC3\xA9 & cr\xC3\xA8me"}, {"lang", "fr"}},
       {{"q", "caf\xC3\xA9 & cr\xC3\xA8me"}, {"lang", "fr"}}},
      {"{/list*}", {{"list", List{"red", "green"}}}, {{"list", "red,green"}}},
      {"{?list*}", {{"list", List{"a b", "c"}}}, {{"list", "a b,c"}}},
      {"{;x,y}", {{"x", "1"}, {"y", ""}}, {{"x", "1"}, {"y", ""}}},
      {"doc{#section}", {{"section", "intro/part 1"}}, {{"section", "intro/part 1"}}},
      {"{.a,b}", {{"a", "x"}, {"b", "y.z"}}, {{"a", "x"}, {"b", "y.z"}}},
      {"mcp://{server}/tools/{tool}{?verbose}",
       {{"server", "s1"}, {"tool", "echo"}, {"verbose", "true"}},
       {{"server", "s1"}, {"tool", "echo"}, {"verbose", "true"}}},
  };
  for (const RoundTrip& c : cases) {
    auto t = UriTemplate::Parse(c.text);
    ASSERT_TRUE(t) << c.text;
    const std::string uri = t->Expand(c.values);
    EXPECT_EQ(t->Match(uri), c.expected) << c.text << " -> " << uri;
  }
}

TEST(UriTemplateTest, MatchStaysFastOnAdversarialInput) {
  auto t = UriTemplate::Parse("{+a}{+b}{+c}x");
  ASSERT_TRUE(t);
  const std::string uri(3000, 'y');
  EXPECT_EQ(t->Match(uri), std::nullopt);
  auto ok = t->Match("aaxbbxccx");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->at("a") + ok->at("b") + ok->at("c"), "aaxbbxcc");
}

TEST(UriTemplateTest, MatchesLongUris) {
  auto t = UriTemplate::Parse("file:///{+path}");
  ASSERT_TRUE(t);
  const std::string path = std::string(1'000'000, 'a') + "/b";
  auto match = t->Match("file:///" + path);
  ASSERT_TRUE(match);
  EXPECT_EQ(match->at("path"), path);
}

TEST(UriTemplateTest, ConcurrentUse) {
  auto t = UriTemplate::Parse("/users{/id}{?fields,page}");
  ASSERT_TRUE(t);
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int n = 0; n < 4; ++n) {
    threads.emplace_back([&, n] {
      for (int i = 0; i < 500; ++i) {
        const std::string id = std::to_string(n * 1000 + i);
        const std::string uri = t->Expand({{"id", id}, {"page", "1"}});
        auto match = t->Match(uri);
        if (!match || match->at("id") != id || match->at("page") != "1") ++failures[n];
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures, std::vector<int>(4, 0));
}

}  // namespace
}  // namespace ferry::protocol
