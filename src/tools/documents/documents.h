// The document tool group (tools.documents): conversion of documents given as a path inside
// documents.allowed_roots, as base64 content or as a ferry://documents resource, export as
// Markdown, text, DoclingDocument JSON or chunks, a cache check by key, and batch conversion with
// progress. Converted documents are kept in a DocumentStore (documents.store_size) and are also
// resources: ferry://documents/{key} (Markdown) and ferry://documents/{key}.json (JSON).
// Names and arguments are documented in docs/tools.md.
//
// Thread-safety: call Register once while setting up the server; the tools run concurrently on
// the CPU pool and share the store (thread-safe).
#pragma once

#include "ferry/server.h"

namespace ferry::tools::documents {

Result<void> Register(Server& server);

}  // namespace ferry::tools::documents
