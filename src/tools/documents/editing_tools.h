// The document group's building and editing tools, after the Docling MCP server's generation and
// manipulation tools: create_document (empty, or a copy of a converted document), add_title,
// add_section_heading, add_paragraph, open_list, close_list, add_list_items, add_table_from_html,
// get_document_anchors, search_document, get_item_text, update_item_text, delete_items,
// save_document and discard_document. Items are named by anchors, the JSON pointers of
// DoclingDocument JSON ("#/texts/3"). Converted documents are read-only (the read tools and
// save_document take them too); edits go to drafts (DraftStore). Names and arguments are
// documented in docs/tools.md.
//
// Thread-safety: call RegisterEditingTools once while setting up the server; the tools run
// concurrently on the pools, and edits of one draft are serialized by the DraftStore.
#pragma once

#include <memory>

#include "ferry/server.h"
#include "tools/documents/document_tools.h"

namespace ferry::tools::documents {

Result<void> RegisterEditingTools(Server& server, std::shared_ptr<DocumentTools> group);

}  // namespace ferry::tools::documents
