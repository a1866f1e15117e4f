#include "pretty_json.hpp"

#include <boost/json.hpp>
#include <charconv>
#include <cmath>
#include <string_view>

namespace hammertime::harness {
namespace {

void pretty(const boost::json::value& value, std::string& out, int depth) {
  auto indent = [&](int level) { out += '\n' + std::string(2 * level, ' '); };
  if (value.is_object() && !value.as_object().empty()) {
    out += '{';
    bool first = true;
    for (const auto& [key, field] : value.as_object()) {
      if (!first) out += ',';
      first = false;
      indent(depth + 1);
      out += boost::json::serialize(boost::json::string(key)) + ": ";
      pretty(field, out, depth + 1);
    }
    indent(depth);
    out += '}';
  } else if (value.is_array() && !value.as_array().empty()) {
    out += '[';
    bool first = true;
    for (const auto& item : value.as_array()) {
      if (!first) out += ',';
      first = false;
      indent(depth + 1);
      pretty(item, out, depth + 1);
    }
    indent(depth);
    out += ']';
  } else if (value.is_double()) {
    double number = value.as_double();
    if (!std::isfinite(number)) {
      out += "null";
      return;
    }
    char text[64];
    auto end = std::to_chars(text, text + sizeof text, number).ptr;
    std::string_view written(text, static_cast<std::size_t>(end - text));
    out += written;
    if (written.find_first_of(".eE") == std::string_view::npos) out += ".0";
  } else {
    out += boost::json::serialize(value);
  }
}

}  // namespace

std::string pretty_json(const boost::json::value& value) {
  std::string text;
  pretty(value, text, 0);
  return text;
}

}  // namespace hammertime::harness
