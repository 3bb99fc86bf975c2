#include "tools/documents/editing_tools.h"

#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <utility>

#include "document/edit.h"
#include "tools/allowed_paths.h"

namespace ferry::tools::documents {
namespace json = boost::json;
namespace fs = std::filesystem;
using document::Ref;

namespace {

// ---- Schemas and results ----

json::object KeyProperty() { return StringProperty("A draft's key, from create_document"); }

json::object AnyKeyProperty() {
  return StringProperty(
      "A document's key: a draft's (from create_document) or a converted "
      "document's (from convert_document)");
}

json::object TextProperty(std::string_view description) {
  return {{"type", "string"}, {"minLength", 1}, {"description", description}};
}

json::object BooleanProperty(std::string_view description) {
  return {{"type", "boolean"}, {"description", description}};
}

json::object StringArrayProperty(std::string_view description, std::int64_t min_items) {
  return {{"type", "array"},
          {"items", json::object{{"type", "string"}}},
          {"minItems", min_items},
          {"maxItems", 10'000},
          {"description", description}};
}

// readOnlyHint, destructiveHint (meaningful only for tools that write), idempotentHint; nothing
// here reaches outside the server but save_document, which stays inside the allowed roots.
json::object Annotations(bool read_only, bool destructive, bool idempotent) {
  json::object a{
      {"readOnlyHint", read_only}, {"idempotentHint", idempotent}, {"openWorldHint", false}};
  if (!read_only) a["destructiveHint"] = destructive;
  return a;
}

json::array Pointers(const std::vector<Ref>& refs) {
  json::array a;
  for (const Ref& r : refs) a.emplace_back(r.Pointer());
  return a;
}

std::vector<std::string> Strings(const json::object& args, std::string_view key) {
  std::vector<std::string> out;
  if (const auto* v = args.if_contains(key); v && v->is_array()) {
    for (const auto& s : v->as_array()) {
      if (s.is_string()) out.emplace_back(s.as_string());
    }
  }
  return out;
}

bool ArgBool(const json::object& args, std::string_view key) {
  const auto* v = args.if_contains(key);
  return v && v->is_bool() && v->get_bool();
}

// ---- Drafts ----

// Runs `edit` on the draft `key` names. A converted document's key gets a message telling the
// agent how to edit a copy, as converted documents are immutable cache entries.
template <typename Fn>
std::invoke_result_t<Fn, document::DocumentBuilder&> EditDraft(DocumentTools& group,
                                                               const std::string& key, Fn&& edit) {
  if (!DraftStore::IsDraftKey(key)) {
    if (group.store.Contains(key)) {
      return Fail(ErrorCode::kInvalidParams,
                  "document " + key +
                      " is a converted document, which is never changed: call create_document "
                      "with from_document_key \"" +
                      key + "\" to edit a copy");
    }
    return Fail(ErrorCode::kNotFound, "no draft with key " + key +
                                          " (drafts' keys start with \"draft-\"; "
                                          "create_document makes one)");
  }
  return group.drafts.Edit(key, std::forward<Fn>(edit));
}

// The tool's answer to an edit that added one item.
Result<ToolResult> Added(const std::string& key, const Result<Ref>& added) {
  if (!added) return ToolResult::Failure(added.error().message);
  return Structured({{"document_key", key}, {"anchor", added->Pointer()}});
}

// ---- Saving ----

struct SaveFormat {
  std::string_view name;  // an export_document format
  std::string_view extensions[2];
};
constexpr SaveFormat kSaveFormats[] = {{"markdown", {".md", ".markdown"}},
                                       {"json", {".json", ""}},
                                       {"html", {".html", ".htm"}},
                                       {"text", {".txt", ""}}};

// `format` when given, else the one the path's extension names.
Result<std::string> SaveFormatOf(const fs::path& path, const std::string& format) {
  if (!format.empty()) return format;
  std::string extension = path.extension().string();
  for (char& c : extension) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const auto& f : kSaveFormats) {
    for (std::string_view e : f.extensions) {
      if (!e.empty() && extension == e) return std::string(f.name);
    }
  }
  return Fail(ErrorCode::kInvalidParams,
              path.filename().string() +
                  ": cannot tell the format from the extension (.md, .json, .html, .txt); give "
                  "`format`");
}

Error Errno(const fs::path& path, std::string_view what) {
  return Error(ErrorCode::kIo,
               path.string() + ": " + std::string(what) + ": " + std::strerror(errno));
}

// Writes `bytes` to `path` through a temporary file in the same directory, renamed into place,
// so a reader never sees half a file. Without `overwrite` an existing file is refused, and the
// final link refuses one that appeared meanwhile.
Result<void> WriteFileAtomically(const fs::path& path, std::string_view bytes, bool overwrite) {
  std::error_code ec;
  const auto status = fs::symlink_status(path, ec);
  if (fs::exists(status)) {
    if (!fs::is_regular_file(status)) {
      return Fail(ErrorCode::kInvalidParams, path.string() + " exists and is not a regular file");
    }
    if (!overwrite) {
      return Fail(ErrorCode::kInvalidParams,
                  path.string() + " exists already: pass overwrite: true to replace it");
    }
  }
  std::random_device random;
  char suffix[17];
  std::snprintf(suffix, sizeof(suffix), "%08x%08x", random(), random());
  const fs::path temp = path.parent_path() / ("." + path.filename().string() + ".tmp-" + suffix);
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0666);
  if (fd < 0) return Fail(Errno(temp, "cannot create"));
  auto fail = [&](Error e) {
    ::unlink(temp.c_str());
    return Fail(std::move(e));
  };
  for (std::size_t done = 0; done < bytes.size();) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      Error e = Errno(temp, "cannot write");
      ::close(fd);
      return fail(std::move(e));
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    Error e = Errno(temp, "cannot flush");
    ::close(fd);
    return fail(std::move(e));
  }
  if (::close(fd) != 0) return fail(Errno(temp, "cannot close"));
  if (overwrite) {
    if (::rename(temp.c_str(), path.c_str()) != 0) return fail(Errno(path, "cannot rename into"));
    return {};
  }
  // link() fails when the name exists: no window between the check above and the write.
  if (::link(temp.c_str(), path.c_str()) == 0) {
    ::unlink(temp.c_str());
    return {};
  }
  if (errno == EEXIST) {
    return fail(Error(ErrorCode::kInvalidParams,
                      path.string() + " exists already: pass overwrite: true to replace it"));
  }
  // A file system without hard links: the check above has to do.
  if (fs::exists(fs::symlink_status(path, ec))) {
    return fail(Error(ErrorCode::kInvalidParams,
                      path.string() + " exists already: pass overwrite: true to replace it"));
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) return fail(Errno(path, "cannot rename into"));
  return {};
}

// ---- Handlers, one per tool ----

Result<ToolResult> CreateDocument(DocumentTools& group, RequestContext&, const json::object& args) {
  const std::string name = ArgString(args, "name");
  const std::string from = ArgString(args, "from_document_key");
  document::Document doc;
  if (!from.empty()) {
    auto source = group.Find(from);
    if (!source) {
      return ToolResult::Failure("no document with key " + from +
                                 " to copy (convert it, or create a draft)");
    }
    doc = *source;
  } else {
    const std::string n = name.empty() ? "document" : name;
    // A draft has no source file; its own form is DoclingDocument JSON.
    doc = document::Document(n, {"application/json", n + ".json", 0});
  }
  if (!name.empty()) doc.name = name;
  json::object out{{"name", doc.name},
                   {"texts", doc.texts.size()},
                   {"tables", doc.tables.size()},
                   {"pictures", doc.pictures.size()},
                   {"groups", doc.groups.size()}};
  auto key = group.drafts.Create(std::move(doc));
  if (!key) return ToolResult::Failure(key.error().message);
  out["document_key"] = *key;
  if (!from.empty()) out["from_document_key"] = from;
  return Structured(std::move(out));
}

Result<ToolResult> AddTitle(DocumentTools& group, RequestContext&, const json::object& args) {
  const std::string key = ArgString(args, "document_key");
  const std::string text = ArgString(args, "text");
  return Added(
      key, EditDraft(group, key, [&](document::DocumentBuilder& b) { return b.AddTitle(text); }));
}

Result<ToolResult> AddSectionHeading(DocumentTools& group, RequestContext&,
                                     const json::object& args) {
  const std::string key = ArgString(args, "document_key");
  const std::string text = ArgString(args, "text");
  const int level = static_cast<int>(ArgInt(args, "level", 1));
  return Added(key, EditDraft(group, key, [&](document::DocumentBuilder& b) {
                 return b.AddHeading(text, level);
               }));
}

Result<ToolResult> AddParagraph(DocumentTools& group, RequestContext&, const json::object& args) {
  const std::string key = ArgString(args, "document_key");
  const std::string text = ArgString(args, "text");
  return Added(key, EditDraft(group, key,
                              [&](document::DocumentBuilder& b) { return b.AddParagraph(text); }));
}

Result<ToolResult> OpenList(DocumentTools& group, RequestContext&, const json::object& args) {
  const std::string key = ArgString(args, "document_key");
  const bool ordered = ArgBool(args, "ordered");
  std::size_t open = 0;
  auto list = EditDraft(group, key, [&](document::DocumentBuilder& b) {
    auto r = b.OpenList(ordered);
    open = b.open_lists().size();
    return r;
  });
  if (!list) return ToolResult::Failure(list.error().message);
  return Structured({{"document_key", key}, {"anchor", list->Pointer()}, {"open_lists", open}});
}

Result<ToolResult> CloseList(DocumentTools& group, RequestContext&, const json::object& args) {
  const std::string key = ArgString(args, "document_key");
  std::size_t open = 0;
  auto list = EditDraft(group, key, [&](document::DocumentBuilder& b) {
    auto r = b.CloseList();
    open = b.open_lists().size();
    return r;
  });
  if (!list) return ToolResult::Failure(list.error().message);
  return Structured({{"document_key", key}, {"closed", list->Pointer()}, {"open_lists", open}});
}

Result<ToolResult> AddListItems(DocumentTools& group, RequestContext&, const json::object& args) {
  const std::string key = ArgString(args, "document_key");
  std::vector<document::ListItemSpec> items;
  for (const auto& v : args.at("items").as_array()) {
    items.push_back({ArgString(v.as_object(), "text"), ArgString(v.as_object(), "marker")});
  }
  auto added =
      EditDraft(group, key, [&](document::DocumentBuilder& b) { return b.AddListItems(items); });
  if (!added) return ToolResult::Failure(added.error().message);
  return Structured({{"document_key", key}, {"anchors", Pointers(*added)}});
}

Result<ToolResult> AddTableFromHtml(DocumentTools& group, RequestContext&,
                                    const json::object& args) {
  const std::string key = ArgString(args, "document_key");
  const std::string html = ArgString(args, "html");
  const auto max_bytes = static_cast<std::size_t>(group.config.documents.max_file_size);
  if (html.size() > max_bytes) {
    return ToolResult::Failure("html: " + std::to_string(html.size()) +
                               " bytes exceeds documents.max_file_size (" +
                               std::to_string(max_bytes) + ")");
  }
  // Parsed before taking the draft: other edits of it need not wait for the parser.
  auto parsed =
      document::TableFromHtml(html, static_cast<std::size_t>(group.config.documents.max_memory));
  if (!parsed) return ToolResult::Failure(parsed.error().message);
  std::vector<std::string> captions = std::move(parsed->captions);
  for (auto& c : Strings(args, "captions")) captions.push_back(std::move(c));
  const std::vector<std::string> footnotes = Strings(args, "footnotes");
  json::object out{{"document_key", key},
                   {"num_rows", parsed->table.num_rows},
                   {"num_cols", parsed->table.num_cols}};
  auto table = EditDraft(group, key, [&](document::DocumentBuilder& b) -> Result<Ref> {
    auto r = b.AddTable(std::move(parsed->table), captions, footnotes);
    if (r) {
      const auto& item = b.document().tables[static_cast<std::size_t>(r->index)];
      out["captions"] = Pointers(item.captions);
      out["footnotes"] = Pointers(item.footnotes);
    }
    return r;
  });
  if (!table) return ToolResult::Failure(table.error().message);
  out["anchor"] = table->Pointer();
  return Structured(std::move(out));
}

Result<ToolResult> GetDocumentAnchors(DocumentTools& group, RequestContext&,
                                      const json::object& args) {
  const std::string key = ArgString(args, "document_key");
  const std::string under = ArgString(args, "under");
  document::OverviewOptions options;
  options.offset = static_cast<std::size_t>(ArgInt(args, "offset", 0));
  options.max_items = static_cast<std::size_t>(ArgInt(args, "max_items", 200));
  auto overview = group.Read(key, [&](const document::Document& doc) -> Result<document::Overview> {
    if (!under.empty()) {
      auto root = document::ParseAnchor(doc, under, document::AnchorRoots::kAllow);
      if (!root) return Fail(root.error());
      options.under = *root;
    }
    return document::ListAnchors(doc, options);
  });
  if (!overview) return ToolResult::Failure(overview.error().message);
  // The text is an indented outline, as docling-mcp's; the structured content has the fields.
  std::string text;
  json::array items;
  for (const auto& e : overview->entries) {
    text += std::string(2 * static_cast<std::size_t>(e.depth), ' ') + "[" + e.ref.Pointer() + "] " +
            std::string(e.label);
    if (e.level) text += " (level " + std::to_string(e.level) + ")";
    if (e.layer == document::ContentLayer::kFurniture) text += " (furniture)";
    if (!e.text.empty()) text += ": " + e.text;
    text += '\n';
    json::object item{
        {"anchor", e.ref.Pointer()}, {"label", e.label}, {"depth", e.depth}, {"text", e.text}};
    if (e.level) item["level"] = e.level;
    if (e.layer == document::ContentLayer::kFurniture) item["layer"] = "furniture";
    items.push_back(std::move(item));
  }
  json::object out{{"document_key", key},
                   {"total", overview->total},
                   {"offset", options.offset},
                   {"items", std::move(items)}};
  const std::size_t end = options.offset + overview->entries.size();
  if (end < overview->total) {
    out["next_offset"] = end;
    text += "[" + std::to_string(overview->total - end) + " more items: call again with offset " +
            std::to_string(end) + "]\n";
  }
  if (text.empty()) text = "(no items)\n";
  ToolResult result = ToolResult::Text(text);
  result.structured_content = std::move(out);
  return result;
}

Result<ToolResult> SearchDocument(DocumentTools& group, RequestContext&, const json::object& args) {
  const std::string key = ArgString(args, "document_key");
  const std::string query = ArgString(args, "query");
  const auto max = static_cast<std::size_t>(ArgInt(args, "max_results", 50));
  auto found =
      group.Read(key, [&](const document::Document& doc) -> Result<document::SearchResult> {
        return document::Search(doc, query, max);
      });
  if (!found) return ToolResult::Failure(found.error().message);
  static constexpr std::string_view kMatch[] = {"none", "phrase", "keywords"};
  json::array hits;
  for (const auto& h : found->hits) {
    hits.push_back(json::object{{"anchor", h.ref.Pointer()},
                                {"label", h.label},
                                {"snippet", h.snippet},
                                {"matches", h.matches}});
  }
  return Structured({{"document_key", key},
                     {"query", query},
                     {"match", kMatch[static_cast<int>(found->match)]},
                     {"total", found->total},
                     {"hits", std::move(hits)}});
}

Result<ToolResult> GetItemText(DocumentTools& group, RequestContext&, const json::object& args) {
  const std::string key = ArgString(args, "document_key");
  const std::string anchor = ArgString(args, "anchor");
  std::string label;
  auto text = group.Read(key, [&](const document::Document& doc) -> Result<std::string> {
    auto ref = document::ParseAnchor(doc, anchor);
    if (!ref) return Fail(ref.error());
    label = document::LabelOf(doc, *ref);
    return document::ItemText(doc, *ref);
  });
  if (!text) return ToolResult::Failure(text.error().message);
  ToolResult result = ToolResult::Text(*text);
  result.structured_content = json::object{{"anchor", anchor}, {"label", label}, {"text", *text}};
  return result;
}

Result<ToolResult> UpdateItemText(DocumentTools& group, RequestContext&, const json::object& args) {
  const std::string key = ArgString(args, "document_key");
  const std::string anchor = ArgString(args, "anchor");
  const std::string text = ArgString(args, "text");
  auto updated = EditDraft(group, key, [&](document::DocumentBuilder& b) -> Result<std::string> {
    auto ref = document::ParseAnchor(b.document(), anchor);
    if (!ref) return Fail(ref.error());
    if (auto ok = b.UpdateText(*ref, text); !ok) return Fail(ok.error());
    return document::ItemText(b.document(), *ref);
  });
  if (!updated) return ToolResult::Failure(updated.error().message);
  return Structured({{"document_key", key}, {"anchor", anchor}, {"text", *updated}});
}

Result<ToolResult> DeleteItems(DocumentTools& group, RequestContext&, const json::object& args) {
  const std::string key = ArgString(args, "document_key");
  const std::vector<std::string> anchors = Strings(args, "anchors");
  auto deleted = EditDraft(group, key, [&](document::DocumentBuilder& b) -> Result<std::size_t> {
    std::vector<Ref> refs;
    for (const auto& a : anchors) {
      auto ref = document::ParseAnchor(b.document(), a);
      if (!ref) return Fail(ref.error());
      refs.push_back(*ref);
    }
    auto renumbering = b.Delete(refs);
    if (!renumbering) return Fail(renumbering.error());
    return renumbering->deleted();
  });
  if (!deleted) return ToolResult::Failure(deleted.error().message);
  return Structured({{"document_key", key},
                     {"deleted", *deleted},
                     {"note", "anchors of the items after the deleted ones have changed"}});
}

Result<ToolResult> SaveDocument(DocumentTools& group, RequestContext&, const json::object& args) {
  const std::string key = ArgString(args, "document_key");
  auto path = ResolveAllowedPath(ArgString(args, "path"), group.config.documents.allowed_roots,
                                 /*must_exist=*/false);
  if (!path) return ToolResult::Failure(path.error().message);
  auto format = SaveFormatOf(*path, ArgString(args, "format"));
  if (!format) return ToolResult::Failure(format.error().message);
  auto bytes = group.Read(key, [&](const document::Document& doc) {
    return group.Export(doc, json::object{{"format", *format}});
  });
  if (!bytes) return ToolResult::Failure(bytes.error().message);
  if (auto written = WriteFileAtomically(*path, *bytes, ArgBool(args, "overwrite")); !written) {
    return ToolResult::Failure(written.error().message);
  }
  return Structured({{"document_key", key},
                     {"path", path->string()},
                     {"format", *format},
                     {"bytes", bytes->size()}});
}

Result<ToolResult> DiscardDocument(DocumentTools& group, RequestContext&,
                                   const json::object& args) {
  const std::string key = ArgString(args, "document_key");
  if (!DraftStore::IsDraftKey(key) && group.store.Contains(key)) {
    return ToolResult::Failure("document " + key +
                               " is a converted document, not a draft: the store evicts those "
                               "by itself (documents.store_size)");
  }
  if (auto discarded = group.drafts.Discard(key); !discarded) {
    return ToolResult::Failure(discarded.error().message);
  }
  return Structured({{"document_key", key}, {"discarded", true}});
}

// ---- Definitions ----

json::object KeyOnly() {
  return ObjectSchema(json::object{{"document_key", KeyProperty()}}, json::array{"document_key"});
}

// In the order of docs/tools.md.
std::vector<ToolDefinition> Definitions() {
  const json::object additive = Annotations(false, false, false);
  const json::object reading = Annotations(true, false, true);
  json::object list_item = ObjectSchema(
      json::object{{"text", TextProperty("The item's text")},
                   {"marker", StringProperty("The item's marker, e.g. \"-\" or \"3.\"")}},
      json::array{"text"});
  return {
      {"create_document", "Create a document",
       "Creates a draft document to build with add_title, add_section_heading, add_paragraph, "
       "open_list/add_list_items/close_list and add_table_from_html, and returns its key. With "
       "from_document_key, the draft starts as a copy of that document (converted documents "
       "themselves never change). Drafts stay until discard_document; there are at most "
       "documents.max_drafts.",
       ObjectSchema(json::object{
           {"name", json::object{{"type", "string"},
                                 {"maxLength", 200},
                                 {"description",
                                  "The document's name (default: the copied "
                                  "document's, else \"document\")"}}},
           {"from_document_key", StringProperty("Start from a copy of this document (a key from "
                                                "convert_document or create_document)")}}),
       additive, &CreateDocument},
      {"add_title", "Add a title", "Appends a title to the end of a draft (no list may be open).",
       ObjectSchema(
           json::object{{"document_key", KeyProperty()}, {"text", TextProperty("The title")}},
           json::array{"document_key", "text"}),
       additive, &AddTitle},
      {"add_section_heading", "Add a section heading",
       "Appends a section heading to the end of a draft: level 1 is the highest (Markdown ##), "
       "6 the lowest. No list may be open.",
       ObjectSchema(json::object{{"document_key", KeyProperty()},
                                 {"text", TextProperty("The heading")},
                                 {"level", IntegerProperty("1 (highest) to 6", 1, 6)}},
                    json::array{"document_key", "text", "level"}),
       additive, &AddSectionHeading},
      {"add_paragraph", "Add a paragraph",
       "Appends a paragraph to the end of a draft (whitespace is normalized). No list may be "
       "open: close_list first.",
       ObjectSchema(
           json::object{{"document_key", KeyProperty()}, {"text", TextProperty("The paragraph")}},
           json::array{"document_key", "text"}),
       additive, &AddParagraph},
      {"open_list", "Open a list",
       "Opens a list at the end of a draft; add_list_items then fills it and close_list ends "
       "it. Opened while a list is open, the new list nests under that list's last item.",
       ObjectSchema(json::object{{"document_key", KeyProperty()},
                                 {"ordered", BooleanProperty("Numbered (1. 2. 3.) rather than "
                                                             "bulleted (default false)")}},
                    json::array{"document_key"}),
       additive, &OpenList},
      {"close_list", "Close the open list",
       "Closes the innermost open list of a draft; an error when none is open.", KeyOnly(),
       additive, &CloseList},
      {"add_list_items", "Add list items",
       "Appends items to the innermost open list of a draft (open_list first). Each item has "
       "`text` and an optional `marker` (default \"-\", or \"N.\" in an ordered list). All or "
       "none are added.",
       ObjectSchema(json::object{{"document_key", KeyProperty()},
                                 {"items", json::object{{"type", "array"},
                                                        {"items", std::move(list_item)},
                                                        {"minItems", 1},
                                                        {"maxItems", 10'000}}}},
                    json::array{"document_key", "items"}),
       additive, &AddListItems},
      {"add_table_from_html", "Add a table from HTML",
       "Appends a table to the end of a draft from HTML (the first <table> in `html`; rowspan, "
       "colspan and <th> headers honoured; a <caption> becomes the first caption), with "
       "optional captions and footnotes. No list may be open.",
       ObjectSchema(json::object{{"document_key", KeyProperty()},
                                 {"html", TextProperty("HTML holding a <table>, e.g. "
                                                       "<table><tr><th>Name</th><th>Age</th></tr>"
                                                       "<tr><td>Ada</td><td>36</td></tr></table>")},
                                 {"captions", StringArrayProperty("Captions of the table", 0)},
                                 {"footnotes", StringArrayProperty("Footnotes of the table", 0)}},
                    json::array{"document_key", "html"}),
       additive, &AddTableFromHtml},
      {"get_document_anchors", "List a document's items and their anchors",
       "Lists the items of a document (a draft or a converted document) in reading order: each "
       "with its anchor (e.g. #/texts/3), label (title, section_header, text, list_item, list, "
       "table, picture, ...), heading level, depth in the tree and the start of its text. "
       "Anchors name items for get_item_text, update_item_text and delete_items. Long documents "
       "come in pages: pass next_offset back as offset.",
       ObjectSchema(
           json::object{
               {"document_key", AnyKeyProperty()},
               {"under", StringProperty("Only the items under this anchor (e.g. #/groups/0, "
                                        "#/body or #/furniture; default: the whole document)")},
               {"offset", IntegerProperty("Skip this many items (default 0)", 0, INT32_MAX)},
               {"max_items", IntegerProperty("At most this many items (default 200)", 1, 5000)}},
           json::array{"document_key"}),
       reading, &GetDocumentAnchors},
      {"search_document", "Search a document",
       "Finds text in a document (a draft or a converted document), ignoring case: the anchors "
       "of the items (texts, table cells) holding `query`, with a snippet each. When no item "
       "holds the whole query, items holding any of its words are listed instead, most "
       "occurrences first (`match` says which).",
       ObjectSchema(json::object{{"document_key", AnyKeyProperty()},
                                 {"query", TextProperty("The text to find")},
                                 {"max_results",
                                  IntegerProperty("At most this many hits (default 50)", 1, 1000)}},
                    json::array{"document_key", "query"}),
       reading, &SearchDocument},
      {"get_item_text", "Get an item's text",
       "Returns the whole text of the text item (title, heading, paragraph, list item, "
       "caption, ...) at an anchor, in a draft or a converted document.",
       ObjectSchema(json::object{{"document_key", AnyKeyProperty()},
                                 {"anchor", StringProperty("An item's anchor, e.g. #/texts/2")}},
                    json::array{"document_key", "anchor"}),
       reading, &GetItemText},
      {"update_item_text", "Replace an item's text",
       "Replaces the text of the text item at an anchor in a draft (whitespace normalized but "
       "in code; the text as given is kept as its `orig`).",
       ObjectSchema(json::object{{"document_key", KeyProperty()},
                                 {"anchor", StringProperty("A text item's anchor, e.g. #/texts/2")},
                                 {"text", TextProperty("The new text")}},
                    json::array{"document_key", "anchor", "text"}),
       Annotations(false, true, true), &UpdateItemText},
      {"delete_items", "Delete items",
       "Deletes the items at the anchors from a draft, each with everything under it (a list "
       "with its items, a table with its captions and footnotes). Later items' anchors then "
       "shift down: list them again (get_document_anchors) before using an old anchor. All or "
       "none: one bad anchor deletes nothing.",
       ObjectSchema(json::object{{"document_key", KeyProperty()},
                                 {"anchors", StringArrayProperty("The items' anchors, e.g. "
                                                                 "[\"#/texts/2\", \"#/tables/0\"]",
                                                                 1)}},
                    json::array{"document_key", "anchors"}),
       Annotations(false, true, false), &DeleteItems},
      {"save_document", "Save a document to a file",
       "Writes a document (a draft or a converted document) to a file inside the server's "
       "documents.allowed_roots, as Markdown, DoclingDocument JSON, HTML or text (from the "
       "extension .md, .json, .html, .txt, or `format`). An existing file is replaced only with "
       "overwrite: true; the file appears whole or not at all.",
       ObjectSchema(
           json::object{{"document_key", AnyKeyProperty()},
                        {"path", TextProperty("The file to write, inside documents.allowed_roots")},
                        {"format", EnumProperty({"markdown", "json", "html", "text"},
                                                "The file's format (default: from the extension)")},
                        {"overwrite", BooleanProperty("Replace an existing file (default false)")}},
           json::array{"document_key", "path"}),
       Annotations(false, true, true), &SaveDocument, Execution::kBlocking},
      {"discard_document", "Discard a draft",
       "Removes a draft and frees its place among documents.max_drafts. Its key no longer "
       "works; save_document first to keep it.",
       KeyOnly(), Annotations(false, true, true), &DiscardDocument},
  };
}

}  // namespace

Result<void> RegisterEditingTools(Server& server, std::shared_ptr<DocumentTools> group) {
  return AddTools(server, group, Definitions());
}

}  // namespace ferry::tools::documents
