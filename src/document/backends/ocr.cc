#include "document/backends/ocr.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>
#include <tuple>
#include <vector>

#include "common/subprocess.h"
#include "image/image_header.h"

namespace ferry::document {
namespace {

// Words tesseract itself doubts this much are noise (specks, rules, picture texture).
constexpr int kMinWordConfidence = 20;

struct Word {
  int block = 0, paragraph = 0, line = 0;
  int left = 0, top = 0, right = 0, bottom = 0;
  std::string text;
};

std::vector<std::string_view> SplitTabs(std::string_view line) {
  std::vector<std::string_view> fields;
  for (;;) {
    const auto tab = line.find('\t');
    fields.push_back(line.substr(0, tab));
    if (tab == std::string_view::npos) return fields;
    line.remove_prefix(tab + 1);
  }
}

int ToInt(std::string_view s) {
  int v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

// tesseract's TSV: level, page, block, paragraph, line, word, left, top, width, height,
// confidence, text; level 5 rows are words.
std::vector<Word> ParseTsv(std::string_view tsv) {
  std::vector<Word> words;
  while (!tsv.empty()) {
    const auto end = tsv.find('\n');
    std::string_view line = tsv.substr(0, end);
    tsv = end == std::string_view::npos ? std::string_view() : tsv.substr(end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const auto f = SplitTabs(line);
    if (f.size() < 12 || f[0] != "5") continue;
    double confidence = 0;
    std::from_chars(f[10].data(), f[10].data() + f[10].size(), confidence);
    const std::string_view text = f[11];
    if (text.find_first_not_of(' ') == std::string_view::npos) continue;
    if (confidence < kMinWordConfidence) continue;
    Word w;
    w.block = ToInt(f[2]);
    w.paragraph = ToInt(f[3]);
    w.line = ToInt(f[4]);
    w.left = ToInt(f[6]);
    w.top = ToInt(f[7]);
    w.right = w.left + ToInt(f[8]);
    w.bottom = w.top + ToInt(f[9]);
    w.text = std::string(text);
    words.push_back(std::move(w));
  }
  return words;
}

// A paragraph's lines joined: a word broken by a hyphen at a line end is joined again when the
// next line goes on in lower case.
std::string JoinLines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) {
    const bool hyphenated = !out.empty() && out.back() == '-' && out.size() >= 2 &&
                            std::isalpha(static_cast<unsigned char>(out[out.size() - 2])) &&
                            !line.empty() && std::islower(static_cast<unsigned char>(line[0]));
    if (hyphenated) {
      out.pop_back();
    } else if (!out.empty()) {
      out += ' ';
    }
    out += line;
  }
  return out;
}

Error MissingLanguage(const OcrOptions& options) {
  return Error(ErrorCode::kUnsupported,
               "OCR needs tesseract's '" + options.language + "' language data: install the "
               "Debian package tesseract-ocr-" + options.language);
}

}  // namespace

Result<Document> ParseImageOcr(std::string_view bytes, std::string name, Origin origin,
                               const OcrOptions& options) {
  auto header = image::ReadImageHeader(bytes);
  if (!header) return Fail(header.error());
  const std::uint64_t pixels = std::uint64_t{header->width} * header->height;
  if (pixels > options.max_pixels) {
    return Fail(ErrorCode::kInvalidParams,
                "image of " + std::to_string(header->width) + "x" +
                    std::to_string(header->height) + " pixels exceeds the limit of " +
                    std::to_string(options.max_pixels) + " (max_image_pixels)");
  }
  if (!ProgramExists(options.program)) {
    return Fail(ErrorCode::kUnsupported,
                "OCR needs the tesseract program: install the Debian packages tesseract-ocr and "
                "tesseract-ocr-" + options.language);
  }
  // One thread per recogniser: conversions already run in parallel on the CPU pool, and
  // tesseract's own OpenMP threads only fight them (six times slower on two cores).
  auto run = RunProcess({options.program, "stdin", "stdout", "-l", options.language, "tsv"}, bytes,
                        {.extra_env = {"OMP_THREAD_LIMIT=1"}, .deadline = options.deadline});
  if (!run) {
    if (run.error().code == ErrorCode::kTimeout) {
      return Fail(ErrorCode::kTimeout, "OCR did not finish within the time limit");
    }
    return Fail(run.error());
  }
  if (!run->ok()) {
    if (run->err.find("Failed loading language") != std::string::npos) {
      return Fail(MissingLanguage(options));
    }
    std::string why = run->err.substr(0, 300);
    std::replace(why.begin(), why.end(), '\n', ' ');
    return Fail(ErrorCode::kInvalidParams,
                "the " + std::string(image::ToString(header->format)) +
                    " image could not be read for OCR (corrupt or truncated?): " + why);
  }

  origin.mimetype = std::string(image::MimeType(header->format));
  Document doc(std::move(name), std::move(origin));
  doc.pages[1] = Page{1, static_cast<double>(header->width), static_cast<double>(header->height)};
  // Words arrive in tesseract's reading order; a paragraph is a (block, paragraph) pair.
  const std::vector<Word> words = ParseTsv(run->out);
  std::size_t i = 0;
  while (i < words.size()) {
    const auto key = std::tie(words[i].block, words[i].paragraph);
    std::vector<std::string> lines;
    BoundingBox box{1e18, 1e18, -1e18, -1e18, false};
    int line_id = -1;
    for (; i < words.size() && std::tie(words[i].block, words[i].paragraph) == key; ++i) {
      const Word& w = words[i];
      if (w.line != line_id || lines.empty()) {
        lines.emplace_back();
        line_id = w.line;
      } else {
        lines.back() += ' ';
      }
      lines.back() += w.text;
      box.left = std::min<double>(box.left, w.left);
      box.top = std::min<double>(box.top, w.top);
      box.right = std::max<double>(box.right, w.right);
      box.bottom = std::max<double>(box.bottom, w.bottom);
    }
    std::string text = NormalizeSpace(JoinLines(lines));
    if (text.empty()) continue;
    const Ref r = doc.AddText(kBodyRef, TextLabel::kText, std::move(text));
    doc.text(r).prov.push_back(
        Provenance{1, box, 0, static_cast<int>(doc.text(r).text.size())});
  }
  if (doc.texts.empty()) doc.warnings.push_back("OCR found no text in the image");
  return doc;
}

}  // namespace ferry::document
