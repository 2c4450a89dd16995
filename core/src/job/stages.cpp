#include "job/stages.hpp"

#include <algorithm>
#include <new>
#include <utility>

#include <fmt/format.h>

#include <imgpool/core/codec/colour.hpp>
#include <imgpool/core/codec/encoder.hpp>
#include <imgpool/core/error.hpp>

namespace imgpool::core::detail {

DecodeOptions decode_options_for(std::span<const std::uint8_t> bytes, const JobOptions& options) {
  DecodeOptions decode_options;
  decode_options.auto_orient = options.auto_orient;
  decode_options.max_pixels = options.max_pixels;
  // Luma straight from the decoder is luma of the stored colours: right only for untagged (sRGB) images.
  decode_options.grayscale = options.pipeline.luminance_only() &&
                             (options.colour.handling == ColourHandling::Keep || read_metadata(bytes).icc.empty());
  decode_options.cmyk_profile = options.colour.cmyk_profile;
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

ProcessedImage apply_pipeline(DecodedImage decoded, const JobOptions& options, const WorkerModels* models) {
  const auto& ops = options.pipeline.operations();
  const bool colour_first = std::any_of(ops.begin(), ops.end(), [](const Operation& op) { return op.drops_colour(); });
  ProcessedImage out;
  out.metadata = std::move(decoded.metadata);
  cv::Mat image = std::move(decoded.image);
  const bool was_colour = image.channels() >= 3;
  if (colour_first) {
    ColouredImage coloured = convert_colour(std::move(image), out.metadata.icc, options.colour);
    image = options.pipeline.apply(std::move(coloured.image), models, decoded.full_size);
    out.metadata.icc = std::move(coloured.profile);
  } else {
    ColouredImage coloured = convert_colour(options.pipeline.apply(std::move(image), models, decoded.full_size),
                                            out.metadata.icc, options.colour);
    image = std::move(coloured.image);
    out.metadata.icc = std::move(coloured.profile);
  }
  if (was_colour && image.channels() <= 2) out.metadata.icc.clear();  // an RGB profile cannot tag gray pixels
  out.image = std::move(image);
  return out;
}

void check_warnings(const WarningCapture& capture, const JobOptions& options) {
  if (options.fail_on == FailOn::Warning && !capture.empty()) {
    throw ImageError(fmt::format("warning: {} (fail_on is FailOn::Warning)", capture.first()));
  }
}

std::vector<std::uint8_t> encode_output(const ProcessedImage& processed, Format format, const JobOptions& options) {
  // Pixels turned upright by their orientation must not be turned again by a kept tag.
  const bool upright = options.auto_orient;
  return encode(processed.image, format, options.encode,
                metadata_to_keep(processed.metadata, options.metadata, upright));
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
