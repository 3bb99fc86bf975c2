#include "image/vectorize/svg_writer.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace ferry::image::vectorize {
namespace {

// Appends `v` with `precision` decimals, without trailing zeros or dot, and "-0" as "0".
void AppendNumber(std::string& out, double v, int precision) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, precision);
  if (ec != std::errc()) {  // only for absurd magnitudes; coordinates are bounded by the image
    end = buf;
    *end++ = '0';
  }
  char* last = end;
  if (precision > 0) {
    while (last[-1] == '0') --last;
    if (last[-1] == '.') --last;
  }
  if (last - buf == 2 && buf[0] == '-' && buf[1] == '0') {
    out.push_back('0');
    return;
  }
  out.append(buf, last);
}

// The translate offset: shortest round-trip, never an exponent.
void AppendOffset(std::string& out, double v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v == 0 ? 0.0 : v, std::chars_format::fixed);
  out.append(buf, ec == std::errc() ? end : buf);
}

void AppendHex(std::string& out, std::uint8_t v) {
  constexpr char kDigits[] = "0123456789ABCDEF";
  out.push_back(kDigits[v >> 4]);
  out.push_back(kDigits[v & 15]);
}

void AppendPoint(std::string& out, const Point& p, const Point& origin, int precision, char sep) {
  AppendNumber(out, p.x - origin.x, precision);
  out.push_back(sep);
  AppendNumber(out, p.y - origin.y, precision);
}

void AppendContour(std::string& out, const Contour& c, const Point& origin, int precision) {
  if (c.points.empty()) return;
  if (c.spline) {
    out.push_back('M');
    AppendPoint(out, c.points[0], origin, precision, ' ');
    out.push_back(' ');
    for (std::size_t i = 1; i + 2 < c.points.size(); i += 3) {
      out.push_back('C');
      for (std::size_t k = 0; k < 3; ++k) {
        AppendPoint(out, c.points[i + k], origin, precision, ' ');
        out.push_back(' ');
      }
    }
  } else {
    for (std::size_t i = 0; i < c.points.size(); ++i) {
      out.push_back(i == 0 ? 'M' : 'L');
      AppendPoint(out, c.points[i], origin, precision, ',');
      out.push_back(' ');
    }
  }
  out += "Z ";
}

}  // namespace

std::string WriteSvg(const VectorImage& image, int path_precision) {
  path_precision = std::clamp(path_precision, 0, 16);
  std::string out;
  std::size_t points = 0;
  for (const Shape& s : image.shapes)
    for (const Contour& c : s.contours) points += c.points.size();
  out.reserve(256 + image.shapes.size() * 64 + points * (8 + 2 * static_cast<std::size_t>(path_precision)));

  out += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- Generator: Ferry -->\n";
  out += "<svg version=\"1.1\" xmlns=\"http://www.w3.org/2000/svg\" width=\"";
  out += std::to_string(image.width) + "\" height=\"" + std::to_string(image.height);
  out += "\" viewBox=\"0 0 " + std::to_string(image.width) + " " + std::to_string(image.height);
  out += "\">\n";
  for (const Shape& s : image.shapes) {
    const Contour* first = nullptr;
    for (const Contour& c : s.contours)
      if (!c.points.empty()) {
        first = &c;
        break;
      }
    if (first == nullptr) continue;
    const Point origin = first->points[0];
    out += "<path d=\"";
    for (const Contour& c : s.contours) AppendContour(out, c, origin, path_precision);
    out += "\" fill=\"#";
    for (std::uint8_t v : s.color) AppendHex(out, v);
    out += "\" transform=\"translate(";
    AppendOffset(out, origin.x);
    out.push_back(',');
    AppendOffset(out, origin.y);
    out += ")\"/>\n";
  }
  out += "</svg>\n";
  return out;
}

}  // namespace ferry::image::vectorize
