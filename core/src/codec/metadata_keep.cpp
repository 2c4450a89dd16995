// Which metadata an output keeps (codec/metadata.hpp: KeepMetadata). EXIF and XMP are rewritten with
// libexiv2, not by hand: removing the GPS IFD or a thumbnail means rebuilding the TIFF structure.
#include <algorithm>
#include <exception>
#include <mutex>
#include <string>
#include <vector>

#include <exiv2/exiv2.hpp>
#include <fmt/format.h>

#include <imgpool/core/codec/metadata.hpp>
#include <imgpool/core/error.hpp>

#include "codec/warnings.hpp"

namespace imgpool::core {

namespace {

// libexiv2 writes its warnings to stderr (library code never prints), and its XMP toolkit must be
// initialised once, with a lock, before threads use it (xmp_exiv2.hpp).
std::mutex xmp_mutex;
void xmp_lock(void*, bool lock) {
  if (lock) {
    xmp_mutex.lock();
  } else {
    xmp_mutex.unlock();
  }
}
void set_up_exiv2() {
  static std::once_flag once;
  std::call_once(once, [] {
    // Exiv2's complaints about a file's metadata go to that file's result, never to stderr
    Exiv2::LogMsg::setLevel(Exiv2::LogMsg::warn);
    Exiv2::LogMsg::setHandler([](int, const char* text) { detail::note_warning("metadata", text); });
    Exiv2::XmpParser::initialize(xmp_lock, nullptr);
  });
}

bool starts_with(const std::string& key, std::string_view prefix) { return key.rfind(prefix, 0) == 0; }

template <typename Data, typename Pred>
void erase_if(Data& data, Pred pred) {
  for (auto it = data.begin(); it != data.end();) it = pred(it->key()) ? data.erase(it) : std::next(it);
}

bool is_copyright_exif(const std::string& key) {
  return key == "Exif.Image.Copyright" || key == "Exif.Image.Artist";
}

bool is_copyright_xmp(const std::string& key) {
  return key == "Xmp.dc.rights" || key == "Xmp.dc.creator" || starts_with(key, "Xmp.xmpRights.");
}

std::vector<std::uint8_t> kept_exif(const std::vector<std::uint8_t>& block, const KeepMetadata& keep, bool upright) {
  Exiv2::ExifData exif;
  const Exiv2::ByteOrder order =
      Exiv2::ExifParser::decode(exif, block.data(), static_cast<std::uint32_t>(block.size()));
  if (order == Exiv2::invalidByteOrder || exif.empty()) return {};
  if (!keep.exif) erase_if(exif, [](const std::string& key) { return !is_copyright_exif(key); });
  if (!keep.gps) erase_if(exif, [](const std::string& key) { return starts_with(key, "Exif.GPSInfo."); });
  Exiv2::ExifThumb(exif).erase();
  if (upright) {
    const auto orientation = exif.findKey(Exiv2::ExifKey("Exif.Image.Orientation"));
    if (orientation != exif.end()) exif["Exif.Image.Orientation"] = std::uint16_t(1);
  }
  if (exif.empty()) return {};
  Exiv2::Blob out;
  Exiv2::ExifParser::encode(out, order, exif);
  return out;
}

std::string kept_xmp(const std::string& packet, const KeepMetadata& keep, bool upright) {
  Exiv2::XmpData xmp;
  if (Exiv2::XmpParser::decode(xmp, packet) != 0 || xmp.empty()) return {};
  if (!keep.xmp) erase_if(xmp, [](const std::string& key) { return !is_copyright_xmp(key); });
  if (!keep.gps) erase_if(xmp, [](const std::string& key) { return starts_with(key, "Xmp.exif.GPS"); });
  if (upright && xmp.findKey(Exiv2::XmpKey("Xmp.tiff.Orientation")) != xmp.end()) {
    xmp["Xmp.tiff.Orientation"] = std::uint16_t(1);
  }
  if (xmp.empty()) return {};
  std::string out;
  if (Exiv2::XmpParser::encode(out, xmp, Exiv2::XmpParser::omitPacketWrapper | Exiv2::XmpParser::useCompactFormat) != 0) {
    return {};
  }
  return out;
}

}  // namespace

KeepMetadata parse_keep_metadata(std::string_view list) {
  KeepMetadata keep;
  std::size_t start = 0;
  while (start <= list.size()) {
    const std::size_t comma = std::min(list.find(',', start), list.size());
    std::string_view word = list.substr(start, comma - start);
    while (!word.empty() && word.front() == ' ') word.remove_prefix(1);
    while (!word.empty() && word.back() == ' ') word.remove_suffix(1);
    if (word == "exif") {
      keep.exif = true;
    } else if (word == "copyright") {
      keep.copyright = true;
    } else if (word == "xmp") {
      keep.xmp = true;
    } else if (word == "gps") {
      keep.gps = true;
    } else if (word == "all") {
      keep.exif = keep.xmp = keep.gps = true;
    } else if (word == "none") {
      keep = KeepMetadata();
    } else {
      throw UsageError(fmt::format("metadata \"{}\" is not one of none, exif, copyright, xmp, gps, all", word));
    }
    start = comma + 1;
  }
  if (keep.gps && !keep.exif && !keep.xmp) {
    throw UsageError("metadata gps keeps the location inside kept EXIF or XMP: add exif, xmp or all");
  }
  return keep;
}

ImageMetadata metadata_to_keep(const ImageMetadata& source, const KeepMetadata& keep, bool upright) {
  ImageMetadata out;
  out.icc = source.icc;
  if (!keep.exif && !keep.copyright && !keep.xmp) return out;
  set_up_exiv2();
  try {
    if (!source.exif.empty() && (keep.exif || keep.copyright)) out.exif = kept_exif(source.exif, keep, upright);
  } catch (const std::exception&) {
    out.exif.clear();  // malformed: left out
  }
  try {
    if (!source.xmp.empty() && (keep.xmp || keep.copyright)) out.xmp = kept_xmp(source.xmp, keep, upright);
  } catch (const std::exception&) {
    out.xmp.clear();
  }
  out.orientation = upright ? 1 : exif_orientation(out.exif);
  return out;
}

}  // namespace imgpool::core
