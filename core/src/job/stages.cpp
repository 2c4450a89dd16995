#include "job/stages.hpp"

#include <algorithm>
#include <new>
#include <utility>

#include <fmt/format.h>

#include <imgpool/core/error.hpp>

namespace imgpool::core::detail {

DecodeOptions decode_options_for(std::span<const std::uint8_t> bytes, const JobOptions& options) {
  DecodeOptions decode_options;
  decode_options.auto_orient = options.auto_orient;
  decode_options.max_pixels = options.max_pixels;
  decode_options.grayscale = options.pipeline.luminance_only();
  if (bytes.empty()) return decode_options;  // decode() says "empty file"
  const ImageHeader header = read_header(bytes);
  if (!header.size.empty()) {  // formats whose header is read here; the others decode at full size
    const Size full = options.auto_orient ? header.oriented_size() : header.size;
    decode_options.min_size = options.pipeline.min_source_size(full);
  }
  return decode_options;
}

DecodedImage decode_for_pipeline(std::span<const std::uint8_t> bytes, const JobOptions& options) {
  return decode(bytes, decode_options_for(bytes, options));
}

cv::Mat apply_pipeline(DecodedImage decoded, const JobOptions& options, const WorkerModels* models) {
  return options.pipeline.apply(std::move(decoded.image), models, decoded.full_size);
}

Format choose_format(const EncodeOptions& encode, const std::filesystem::path* output, Format input, Format fallback) {
  if (encode.format != Format::Same) return encode.format;
  if (output != nullptr) {
    if (const Format by_name = format_from_extension(*output); by_name != Format::Same) return by_name;
  }
  if (input != Format::Same) return input;
  if (output != nullptr && fallback == Format::Same) {
    throw ImageError(
        fmt::format("cannot write \"{}\" files (set EncodeOptions::format)", output->extension().string()));
  }
  return fallback;
}

namespace {

std::string one_line(std::string text) {
  std::replace(text.begin(), text.end(), '\n', ' ');
  while (!text.empty() && (text.back() == ' ' || text.back() == '\r')) text.pop_back();
  return text.empty() ? std::string("unknown error") : text;
}

}  // namespace

std::string current_failure_reason() {
  try {
    throw;
  } catch (const imgpool::Error& e) {
    return one_line(e.what());
  } catch (const cv::Exception& e) {
    return one_line("OpenCV: " + e.err);
  } catch (const std::bad_alloc&) {
    return "out of memory";
  } catch (const std::exception& e) {
    return one_line(e.what());
  } catch (...) {
    return "unknown error";
  }
}

}  // namespace imgpool::core::detail
