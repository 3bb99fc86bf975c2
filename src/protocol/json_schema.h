// JsonSchema: a compiled JSON Schema (draft 2020-12) that validates boost::json values. Ferry uses
// it to check tools/call arguments against a tool's inputSchema and structuredContent against its
// outputSchema.
//
//   auto schema = JsonSchema::Compile(boost::json::parse(R"({"type": "object", ...})"));
//   if (!schema) return Fail(schema.error());
//   std::vector<std::string> errors = schema->Validate(arguments);  // empty = valid
//
// Compile resolves every $ref, compiles every pattern and checks every keyword once, so Validate
// does no parsing and cannot fail with anything but validation errors. Validation errors read
// "<instance JSON pointer>: <what is wrong>", with "/" for the instance root.
//
// Thread-safety: a JsonSchema is immutable after Compile; Validate may run on many threads at once.
// Copies share the compiled form.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include <boost/json/value.hpp>

#include "ferry/result.h"

namespace ferry::protocol {

struct JsonSchemaOptions {
  // "format" is an annotation in 2020-12 and never fails validation unless this is set. When set,
  // "date-time", "date", "time", "email", "uri" and "uuid" are checked; other formats stay
  // annotations.
  bool validate_formats = false;
};

class JsonSchema {
 public:
  // Refuses schemas that are not objects or booleans, keywords of the wrong type or range, invalid
  // regular expressions and $ref values that do not resolve inside the document. The error message
  // names the schema location ("invalid schema at /properties/n/type: ...").
  static Result<JsonSchema> Compile(const boost::json::value& schema);
  static Result<JsonSchema> Compile(const boost::json::value& schema,
                                    const JsonSchemaOptions& options);

  // Returns no messages when `instance` is valid, otherwise between 1 and `max_errors` (at least 1)
  // messages such as "/count: expected integer, got string".
  std::vector<std::string> Validate(const boost::json::value& instance,
                                    std::size_t max_errors = 10) const;

  struct Compiled;  // the compiled form; defined in json_schema.cc

 private:
  explicit JsonSchema(std::shared_ptr<const Compiled> compiled);

  std::shared_ptr<const Compiled> compiled_;
};

}  // namespace ferry::protocol
