// Metadata blocks (ICC profile, EXIF, XMP) read from JPEG, PNG and WebP without decoding pixels, and
// carried by decode(); malformed blocks are left out, never an error.

#include <imgpool/core/codec/decoder.hpp>
#include <imgpool/core/codec/metadata.hpp>

#include <gtest/gtest.h>

#include <spng.h>
#include <webp/mux.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "test_images.hpp"

namespace imgpool::core {
namespace {

using Bytes = std::vector<std::uint8_t>;

// A little-endian TIFF block with IFD0 holding one tag, Orientation = `orientation`.
Bytes exif_block(int orientation) {
  return {'I', 'I', 42, 0, 8, 0, 0, 0,  // header, IFD0 at 8
          1, 0,                          // one entry
          0x12, 0x01, 3, 0, 1, 0, 0, 0, static_cast<std::uint8_t>(orientation), 0, 0, 0,
          0, 0, 0, 0};  // no next IFD
}

// A fake profile long enough to need several JPEG chunks when split.
Bytes profile(std::size_t n) {
  Bytes p(n);
  for (std::size_t i = 0; i < n; ++i) p[i] = static_cast<std::uint8_t>(i * 7 + 3);
  return p;
}

// `jpeg` with `segments` (marker, payload) spliced in after SOI, in order.
Bytes with_segments(const Bytes& jpeg, const std::vector<std::pair<std::uint8_t, Bytes>>& segments) {
  Bytes out(jpeg.begin(), jpeg.begin() + 2);
  for (const auto& [marker, payload] : segments) {
    const std::size_t length = payload.size() + 2;
    out.insert(out.end(), {0xFF, marker, static_cast<std::uint8_t>(length >> 8), static_cast<std::uint8_t>(length)});
    out.insert(out.end(), payload.begin(), payload.end());
  }
  out.insert(out.end(), jpeg.begin() + 2, jpeg.end());
  return out;
}

Bytes prefixed(std::string_view prefix, const Bytes& body) {
  Bytes out(prefix.begin(), prefix.end());
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

Bytes icc_chunk(int seq, int count, const Bytes& part) {
  Bytes out = prefixed(std::string_view("ICC_PROFILE\0", 12), {});
  out.push_back(static_cast<std::uint8_t>(seq));
  out.push_back(static_cast<std::uint8_t>(count));
  out.insert(out.end(), part.begin(), part.end());
  return out;
}

const std::string kXmp = "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF/></x:xmpmeta>";

TEST(read_metadata, jpeg_icc_chunks_joined_in_order_exif_and_xmp) {
  const Bytes jpeg = test::encoded(test::corner_image(64, 48), ".jpg");
  const Bytes icc = profile(1000);
  const Bytes first(icc.begin(), icc.begin() + 600), second(icc.begin() + 600, icc.end());
  const Bytes tagged = with_segments(jpeg, {{0xE1, prefixed(std::string_view("Exif\0\0", 6), exif_block(6))},
                                            {0xE1, prefixed(std::string_view("http://ns.adobe.com/xap/1.0/\0", 29),
                                                            Bytes(kXmp.begin(), kXmp.end()))},
                                            {0xE2, icc_chunk(2, 2, second)},  // out of order: joined by number
                                            {0xE2, icc_chunk(1, 2, first)}});
  const ImageMetadata m = read_metadata(tagged);
  EXPECT_EQ(m.icc, icc);
  EXPECT_EQ(m.exif, exif_block(6));
  EXPECT_EQ(m.xmp, kXmp);
  EXPECT_EQ(m.orientation, 6);
  const DecodedImage d = decode(tagged);  // decode carries the same blocks
  EXPECT_EQ(d.metadata.icc, icc);
  EXPECT_EQ(d.metadata.xmp, kXmp);
  EXPECT_EQ(d.image.size(), cv::Size(48, 64));  // and orients by them
}

TEST(read_metadata, malformed_blocks_are_left_out) {
  const Bytes jpeg = test::encoded(test::corner_image(64, 48), ".jpg");
  const Bytes icc = profile(100);
  // a chunk missing (1 of 2), then a duplicate sequence number: no profile rather than a wrong one
  EXPECT_TRUE(read_metadata(with_segments(jpeg, {{0xE2, icc_chunk(1, 2, icc)}})).icc.empty());
  EXPECT_TRUE(read_metadata(with_segments(jpeg, {{0xE2, icc_chunk(1, 2, icc)}, {0xE2, icc_chunk(1, 2, icc)}}))
                  .icc.empty());
  Bytes bad_exif = exif_block(6);
  bad_exif[2] = 43;  // not TIFF
  const ImageMetadata m = read_metadata(with_segments(jpeg, {{0xE1, prefixed(std::string_view("Exif\0\0", 6), bad_exif)}}));
  EXPECT_EQ(m.orientation, 1);
  EXPECT_NO_THROW(decode(with_segments(jpeg, {{0xE2, icc_chunk(9, 2, icc)}})));
  EXPECT_TRUE(read_metadata(Bytes{0xFF, 0xD8, 0xFF}).icc.empty());
  EXPECT_TRUE(read_metadata(Bytes{}).exif.empty());
}

struct SpngFree {
  void operator()(spng_ctx* ctx) const { spng_ctx_free(ctx); }
};

// A 16x8 RGB PNG carrying an iCCP, an eXIf and an XMP iTXt chunk, written by libspng.
Bytes tagged_png(const Bytes& icc, const Bytes& exif) {
  std::unique_ptr<spng_ctx, SpngFree> ctx(spng_ctx_new(SPNG_CTX_ENCODER));
  spng_set_option(ctx.get(), SPNG_ENCODE_TO_BUFFER, 1);
  spng_ihdr ihdr{};
  ihdr.width = 16;
  ihdr.height = 8;
  ihdr.bit_depth = 8;
  ihdr.color_type = SPNG_COLOR_TYPE_TRUECOLOR;
  EXPECT_EQ(spng_set_ihdr(ctx.get(), &ihdr), 0);
  spng_iccp iccp{};
  std::strcpy(iccp.profile_name, "test");
  Bytes icc_copy = icc;
  iccp.profile = reinterpret_cast<char*>(icc_copy.data());
  iccp.profile_len = icc_copy.size();
  EXPECT_EQ(spng_set_iccp(ctx.get(), &iccp), 0);
  Bytes exif_copy = exif;
  spng_exif e{exif_copy.size(), reinterpret_cast<char*>(exif_copy.data())};
  EXPECT_EQ(spng_set_exif(ctx.get(), &e), 0);
  std::string xmp = kXmp;
  spng_text text{};
  std::strcpy(text.keyword, "XML:com.adobe.xmp");
  text.type = SPNG_ITXT;
  text.text = xmp.data();
  text.length = xmp.size();
  char empty[] = "";
  text.language_tag = empty;
  text.translated_keyword = empty;
  EXPECT_EQ(spng_set_text(ctx.get(), &text, 1), 0);
  std::vector<std::uint8_t> pixels(16 * 8 * 3, 128);
  EXPECT_EQ(spng_encode_image(ctx.get(), pixels.data(), pixels.size(), SPNG_FMT_PNG, SPNG_ENCODE_FINALIZE), 0);
  std::size_t len = 0;
  int error = 0;
  void* buffer = spng_get_png_buffer(ctx.get(), &len, &error);
  EXPECT_EQ(error, 0);
  Bytes out(static_cast<std::uint8_t*>(buffer), static_cast<std::uint8_t*>(buffer) + len);
  std::free(buffer);
  return out;
}

TEST(read_metadata, png_iccp_exif_and_xmp) {
  const Bytes icc = profile(3000);
  const Bytes png = tagged_png(icc, exif_block(3));
  const ImageMetadata m = read_metadata(png);
  EXPECT_EQ(m.icc, icc);  // inflated
  EXPECT_EQ(m.exif, exif_block(3));
  EXPECT_EQ(m.xmp, kXmp);
  EXPECT_EQ(m.orientation, 3);
  EXPECT_EQ(decode(png).metadata.icc, icc);
}

TEST(read_metadata, webp_chunks) {
  const Bytes plain = test::encoded(test::corner_image(32, 16), ".webp");
  const Bytes icc = profile(500);
  const Bytes exif = exif_block(8);
  WebPMux* mux = WebPMuxCreate(std::make_unique<WebPData>(WebPData{plain.data(), plain.size()}).get(), 1);
  ASSERT_NE(mux, nullptr);
  const WebPData icc_data{icc.data(), icc.size()}, exif_data{exif.data(), exif.size()},
      xmp_data{reinterpret_cast<const std::uint8_t*>(kXmp.data()), kXmp.size()};
  ASSERT_EQ(WebPMuxSetChunk(mux, "ICCP", &icc_data, 1), WEBP_MUX_OK);
  ASSERT_EQ(WebPMuxSetChunk(mux, "EXIF", &exif_data, 1), WEBP_MUX_OK);
  ASSERT_EQ(WebPMuxSetChunk(mux, "XMP ", &xmp_data, 1), WEBP_MUX_OK);
  WebPData assembled;
  ASSERT_EQ(WebPMuxAssemble(mux, &assembled), WEBP_MUX_OK);
  const Bytes webp(assembled.bytes, assembled.bytes + assembled.size);
  WebPDataClear(&assembled);
  WebPMuxDelete(mux);
  const ImageMetadata m = read_metadata(webp);
  EXPECT_EQ(m.icc, icc);
  EXPECT_EQ(m.exif, exif);
  EXPECT_EQ(m.xmp, kXmp);
  EXPECT_EQ(m.orientation, 8);
  EXPECT_EQ(decode(webp).metadata.exif, exif);
}

}  // namespace
}  // namespace imgpool::core
