// The document group's page tools: get_page_image, which renders one page of a PDF to a PNG
// (document/backends/pdf_page_image.h) and returns it as MCP image content, so a model can look at
// a page's layout, figures and scans that text extraction misses. The tool takes a source like
// convert_document (path, content or uri), not a document key: the document store keeps
// converted documents, not their bytes. Builds without FERRY_PDF do not register it (a tool that
// could only fail would still be listed and offered to models). Documented in docs/tools.md.
//
// Thread-safety: call RegisterPageTools once while setting up the server; the tool runs
// concurrently on the CPU pool, each call with its own poppler document.
#pragma once

#include <memory>

#include "ferry/server.h"
#include "tools/documents/document_tools.h"

namespace ferry::tools::documents {

Result<void> RegisterPageTools(Server& server, std::shared_ptr<DocumentTools> group);

}  // namespace ferry::tools::documents
