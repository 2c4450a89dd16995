#include <imgpool/core/ops/operation.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <string>
#include <type_traits>
#include <utility>

#include <fmt/format.h>

#include <imgpool/core/error.hpp>

namespace imgpool::core {

// ---- Operation: forwards to the concrete type ---------------------------------------------------

std::string_view Operation::name() const {
  return std::visit([](const auto& op) { return std::decay_t<decltype(op)>::kName; }, op_);
}

std::string_view Operation::description() const {
  return std::visit([](const auto& op) { return std::decay_t<decltype(op)>::kDescription; }, op_);
}

std::string Operation::spec() const {
  return std::visit([](const auto& op) { return op.spec(); }, op_);
}

Size Operation::output_size(Size in) const {
  return std::visit([in](const auto& op) { return op.output_size(in); }, op_);
}

Size Operation::resample_size(Size in) const {
  if (const auto* r = get_if<Resize>()) return r->resample_size(in);
  if (const auto* t = get_if<Thumbnail>()) return t->resample_size(in);
  return in;
}

bool Operation::changes_geometry() const { return !std::holds_alternative<Grayscale>(op_); }

bool Operation::needs_colour() const { return false; }

bool Operation::needs_face_model() const {
  const auto* t = get_if<Thumbnail>();
  return t != nullptr && t->crop == Crop::Smart;
}

cv::Mat Operation::apply(const cv::Mat& image, const OperationContext& context) const {
  return std::visit([&](const auto& op) { return op.apply(image, context); }, op_);
}

// ---- parsing helpers ----------------------------------------------------------------------------

namespace {

using Params = std::span<const std::pair<std::string, std::string>>;

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n");
  return s.substr(first, last - first + 1);
}

int parse_int(std::string_view text, std::string_view what, int low, int high) {
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec == std::errc::invalid_argument || end != text.data() + text.size()) {
    throw UsageError(fmt::format("{} \"{}\" is not a whole number", what, text));
  }
  if (ec == std::errc::result_out_of_range || value < low || value > high) {
    throw UsageError(fmt::format("{} {} is out of range ({}..{})", what, text, low, high));
  }
  return value;
}

constexpr int kMaxSide = 65535;

void reject_unknown(Params params, std::string_view op, std::span<const ParamInfo> known) {
  for (const auto& param : params) {
    const std::string& key = param.first;  // a named reference: clang 14 cannot capture structured bindings
    const bool ok = std::any_of(known.begin(), known.end(), [&](const ParamInfo& p) { return p.key == key; });
    if (ok) continue;
    std::string names;
    for (const ParamInfo& p : known) names += (names.empty() ? "" : ", ") + std::string(p.key);
    throw UsageError(fmt::format("unknown key \"{}\" for {} (known: {})", key, op,
                                 names.empty() ? std::string("none") : names));
  }
}

constexpr std::array kResizeParams{
    ParamInfo{"fit", "exact|inside|cover",
              "with WxH: exactly WxH (default), the largest size inside WxH keeping the aspect, or "
              "cover WxH keeping the aspect and crop the centre"},
};
constexpr std::array<ParamInfo, 0> kGrayscaleParams{};
constexpr std::array kThumbnailParams{
    ParamInfo{"crop", "none|centre|center|smart",
              "none (default): fit inside NxN; centre: exactly NxN from the middle; smart: exactly NxN "
              "centred on faces (Haar cascade), else on the busiest region"},
};

Operation make_resize(std::string_view value, Params params) {
  reject_unknown(params, "resize", kResizeParams);
  Resize r;
  if (value.empty()) throw UsageError("resize needs a size: WxH, Wx, xH or P%");
  if (value.back() == '%') {
    r.percent = parse_int(trim(value.substr(0, value.size() - 1)), "percentage", 1, 1000);
  } else {
    const auto x = value.find_first_of("xX");
    if (x == std::string_view::npos) throw UsageError(fmt::format("size \"{}\" is not WxH, Wx, xH or P%", value));
    const auto w = trim(value.substr(0, x));
    const auto h = trim(value.substr(x + 1));
    if (w.empty() && h.empty()) throw UsageError("width and height missing");
    if (!w.empty()) r.width = parse_int(w, "width", 1, kMaxSide);
    if (!h.empty()) r.height = parse_int(h, "height", 1, kMaxSide);
  }
  for (const auto& [key, v] : params) {
    if (v == "exact") {
      r.fit = Fit::Exact;
    } else if (v == "inside") {
      r.fit = Fit::Inside;
    } else if (v == "cover") {
      r.fit = Fit::Cover;
    } else {
      throw UsageError(fmt::format("fit \"{}\" is not one of exact, inside, cover", v));
    }
    if (r.width == 0 || r.height == 0) {
      throw UsageError(fmt::format("fit={} needs both width and height (WxH)", v));
    }
  }
  return r;
}

Operation make_grayscale(std::string_view value, Params params) {
  reject_unknown(params, "grayscale", kGrayscaleParams);
  if (!value.empty()) throw UsageError(fmt::format("grayscale takes no value (got \"{}\")", value));
  return Grayscale{};
}

Operation make_thumbnail(std::string_view value, Params params) {
  reject_unknown(params, "thumbnail", kThumbnailParams);
  if (value.empty()) throw UsageError("thumbnail needs a size N (the NxN box)");
  Thumbnail t;
  t.size = parse_int(value, "size", 1, kMaxSide);
  for (const auto& [key, v] : params) {
    if (v == "none") {
      t.crop = Crop::None;
    } else if (v == "centre" || v == "center") {
      t.crop = Crop::Centre;
    } else if (v == "smart") {
      t.crop = Crop::Smart;
    } else {
      throw UsageError(fmt::format("crop \"{}\" is not one of none, centre, smart", v));
    }
  }
  return t;
}

constexpr std::array kTable{
    OperationInfo{"resize", "WxH | Wx | xH | P%",
                  "scale to WxH (fit=exact|inside|cover), to a width or height keeping the aspect, or by a percentage",
                  kResizeParams, "resize=800x600,fit=inside", &make_resize},
    OperationInfo{"grayscale", "", "convert to one-channel luminance (drops alpha)", kGrayscaleParams, "grayscale",
                  &make_grayscale},
    OperationInfo{"thumbnail", "N", "fit an NxN box keeping the aspect, never enlarging; crop=centre|smart fills it",
                  kThumbnailParams, "thumbnail=256,crop=smart", &make_thumbnail},
};

}  // namespace

std::span<const OperationInfo> operation_table() { return kTable; }

const OperationInfo* find_operation(std::string_view name) {
  for (const OperationInfo& info : kTable) {
    if (info.name == name) return &info;
  }
  return nullptr;
}

Operation parse_operation(std::string_view spec) {
  const std::string_view text = trim(spec);
  if (text.empty()) throw UsageError("empty --op (expected name[=value][,key=value...])");

  std::vector<std::string_view> parts;
  for (std::size_t start = 0;;) {
    const auto comma = text.find(',', start);
    parts.push_back(trim(text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start)));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  const auto eq = parts[0].find('=');
  const std::string_view name = trim(parts[0].substr(0, eq));
  const std::string_view value = eq == std::string_view::npos ? std::string_view() : trim(parts[0].substr(eq + 1));

  const OperationInfo* info = find_operation(name);
  if (info == nullptr) {
    std::string known;
    for (const OperationInfo& i : kTable) known += (known.empty() ? "" : ", ") + std::string(i.name);
    throw UsageError(fmt::format("unknown operation \"{}\" (known: {})", name, known));
  }
  try {
    if (eq != std::string_view::npos && value.empty()) throw UsageError(fmt::format("value after \"{}=\" missing", name));
    std::vector<std::pair<std::string, std::string>> params;
    for (std::size_t i = 1; i < parts.size(); ++i) {
      const auto peq = parts[i].find('=');
      const std::string_view key = peq == std::string_view::npos ? parts[i] : trim(parts[i].substr(0, peq));
      const std::string_view v = peq == std::string_view::npos ? std::string_view() : trim(parts[i].substr(peq + 1));
      if (peq == std::string_view::npos || key.empty() || v.empty()) {
        throw UsageError(fmt::format("\"{}\" is not key=value", parts[i]));
      }
      const bool repeated = std::any_of(params.begin(), params.end(), [&](const auto& p) { return p.first == key; });
      if (repeated) throw UsageError(fmt::format("key \"{}\" given twice", key));
      params.emplace_back(std::string(key), std::string(v));
    }
    return info->make(value, params);
  } catch (const UsageError& e) {
    throw UsageError(fmt::format("bad --op \"{}\": {}", text, e.what()));
  }
}

}  // namespace imgpool::core
