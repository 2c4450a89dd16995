#pragma once
// Image file formats: parsing a format name, output extensions, the extensions a folder scan takes, and
// sniffing by magic bytes.

#include <cstdint>
#include <filesystem>
#include <span>
#include <string_view>

namespace imgpool::core {

/// an image file format; Same means "as the input" (for output) or "unknown" (for sniffing)
enum class Format { Same, Jpeg, Png, Webp, Tiff };

/// parses a format name (EncodeOptions::format; the CLI's --format): same, jpg, jpeg, png, webp, tif, tiff (case-insensitive).
/// Throws UsageError naming the value and the allowed ones.
Format parse_format(std::string_view text);

/// the short name of a format: "same", "jpeg", "png", "webp", "tiff"
std::string_view format_name(Format format);

/// the extension an output in `format` gets (".jpg", ".png", ".webp", ".tif"); for Same, `input`'s own
/// extension as it is (case kept, possibly empty), except for the image formats imgpool reads but does
/// not write (".bmp", ".pbm", ".pgm", ".ppm", ".pnm"), whose outputs are PNG: ".png". So the output
/// format is known from the names alone, before anything is decoded.
std::filesystem::path output_extension(Format format, const std::filesystem::path& input);

/// the format a file name's extension stands for (case-insensitive); Same when unknown
Format format_from_extension(const std::filesystem::path& file);

/// whether a file name has an extension imgpool reads when it walks a folder (jpg, png, webp, tif, ...)
bool has_image_extension(const std::filesystem::path& file);

/// the format of encoded data by its magic bytes; Same when unknown (OpenCV may still read it, e.g. BMP)
Format sniff_format(std::span<const std::uint8_t> bytes);

}  // namespace imgpool::core
