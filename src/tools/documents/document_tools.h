// DocumentTools: what the document tool group's tools share: the server and its config, the
// store of converted documents, the tokenizer for chunks, and the steps every tool repeats
// (reading a source named by path, content or resource URI; converting it once per key;
// exporting; summarizing). Each file of the group (documents.cc: conversion and export;
// editing_tools.cc: building and editing; page_tools.cc: page images) registers its tools with a
// shared_ptr to one DocumentTools.
//
// Converted documents (`store`, keyed by content hash) are immutable cache entries; documents
// being built or edited are drafts (`drafts`, keyed "draft-..."). Find and Read serve both.
//
// Thread-safety: Load, Convert, Find, Read, Export and Summary are safe from any thread (both
// stores are thread-safe, the rest is read-only after construction).
#pragma once

#include <boost/json.hpp>
#include <chrono>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "document/chunker.h"
#include "document/convert.h"
#include "ferry/server.h"
#include "tools/documents/document_store.h"
#include "tools/documents/draft_store.h"
#include "tools/tool_support.h"

namespace ferry::tools::documents {

// Resources of converted documents: ferry://documents/{key} (Markdown) and {key}.json.
inline constexpr std::string_view kDocumentUriPrefix = "ferry://documents/";

class DocumentTools {
 public:
  DocumentTools(Server& server, const Config& config);

  // A source's bytes and the file name that names it and hints its format.
  struct Source {
    std::string bytes;
    std::string filename;
  };
  // Reads the source named by exactly one of `path` (inside documents.allowed_roots), `content`
  // (base64, with optional `filename`) or `uri` (a resource this server can read), within
  // documents.max_file_size.
  Result<Source> Load(RequestContext& ctx, const boost::json::object& args);

  // Conversion options from the arguments (password, first_page, last_page) and the config;
  // leaves a tenth of the time before `deadline` for exporting.
  document::ConvertOptions Options(const boost::json::object& args,
                                   std::chrono::steady_clock::time_point deadline) const;

  struct Converted {
    std::string key;
    std::shared_ptr<const document::Document> doc;
    bool cached = false;
  };
  // Converts once per key (content and page range); keeps and publishes complete results.
  Result<Converted> Convert(const Source& source, const document::ConvertOptions& options);

  // The document with this key, or null: a converted document, or a snapshot of a draft (a copy
  // that later edits leave alone).
  std::shared_ptr<const document::Document> Find(const std::string& key);

  // Runs `read(const Document&) -> Result<T>` on the converted document or draft with this key
  // (a draft without copying it, edits waiting meanwhile); kNotFound when there is none.
  template <typename Fn>
  std::invoke_result_t<Fn, const document::Document&> Read(const std::string& key, Fn&& read);

  // The document in the form `format` names (markdown, text, html, json, chunks), cut at
  // `max_size`; chunk options `chunker` and `max_tokens`.
  Result<std::string> Export(const document::Document& doc, const boost::json::object& args) const;

  // The JSON object conversion tools return for a document.
  boost::json::object Summary(const Converted& converted) const;

  Server& server;
  const Config& config;
  DocumentStore store;
  DraftStore drafts;

 private:
  void Publish(const std::string& key, const document::Document& doc);
  void Forget(const std::string& key);

  std::unique_ptr<document::Tokenizer> tokenizer_;
};

template <typename Fn>
std::invoke_result_t<Fn, const document::Document&> DocumentTools::Read(const std::string& key,
                                                                       Fn&& read) {
  if (DraftStore::IsDraftKey(key)) return drafts.Read(key, std::forward<Fn>(read));
  auto doc = store.Get(key);
  if (!doc) {
    return Fail(ErrorCode::kNotFound, "no document with key " + key +
                                          " (never converted, or evicted: convert it again)");
  }
  return std::forward<Fn>(read)(*doc);
}

// One of the group's tools (tool_support.h has the helpers every group shares).
using ToolDefinition = GroupTool<DocumentTools>;

// A document source, as DocumentTools::Load reads it: path, content, filename, uri, password.
boost::json::object SourceProperties();

}  // namespace ferry::tools::documents
