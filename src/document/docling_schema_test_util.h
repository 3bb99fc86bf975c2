// Test-only: Docling's own DoclingDocument JSON schema (tests/fixtures/docling, MIT), compiled
// once, for the tests that check Ferry's JSON export validates against it.
//
// Thread-safety: DoclingSchema() initializes once (a function-local static).
#pragma once

#include <boost/json.hpp>

#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>

#include "protocol/json_schema.h"

namespace ferry::document::testing {

inline const protocol::JsonSchema& DoclingSchema() {
  static const protocol::JsonSchema schema = [] {
    std::ifstream in(std::string(FERRY_SOURCE_DIR) +
                     "/tests/fixtures/docling/DoclingDocument.schema.json");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // The schema comes from Pydantic, whose version pattern uses Python's named groups
    // "(?P<name>...)"; ECMA-262 regular expressions (JSON Schema's) know only plain groups.
    for (auto at = text.find("(?P<"); at != std::string::npos; at = text.find("(?P<", at)) {
      text.erase(at + 1, text.find('>', at) - at);
    }
    auto compiled = protocol::JsonSchema::Compile(boost::json::parse(text));
    if (!compiled) throw std::runtime_error(compiled.error().message);
    return *compiled;
  }();
  return schema;
}

}  // namespace ferry::document::testing
