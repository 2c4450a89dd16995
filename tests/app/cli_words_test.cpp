// cli_words: the library's wording of a setting becomes the CLI's option, and nothing else changes.

#include "cli_words.hpp"

#include <string>

#include <gtest/gtest.h>

using imgpool::app::cli_words;

TEST(cli_words, names_the_option_for_each_library_phrase) {
  EXPECT_EQ(cli_words("image is 100x100 (10000 pixels), above max_pixels 9999"),
            "image is 100x100 (10000 pixels), above --max-pixels 9999");
  EXPECT_EQ(cli_words("output exists (set existing to ExistingOutput::Overwrite or ExistingOutput::Skip)"),
            "output exists (pass --overwrite or --skip-existing)");
  EXPECT_EQ(cli_words("cannot write \".bmp\" files (set EncodeOptions::format)"),
            "cannot write \".bmp\" files (pass --format)");
  EXPECT_EQ(cli_words("output would overwrite an input file (choose another output folder)"),
            "output would overwrite an input file (choose another -o)");
  EXPECT_EQ(cli_words("empty operation spec (expected name[=value][,key=value...])"),
            "empty --op (expected name[=value][,key=value...])");
  EXPECT_EQ(cli_words("bad operation spec \"blur=x\": not a number"), "bad --op \"blur=x\": not a number");
  EXPECT_EQ(cli_words("cannot read: the file is 9 bytes, above max_file_size 8"),
            "cannot read: the file is 9 bytes, above --max-file-size 8");
  EXPECT_EQ(cli_words("symbolic link to outside the input folder, not followed (set ScanOptions::follow_symlinks to "
                      "follow it)"),
            "symbolic link to outside the input folder, not followed (pass --follow-symlinks to follow it)");
  EXPECT_EQ(cli_words("warning: TIFF: x (fail_on is FailOn::Warning)"), "warning: TIFF: x (--fail-on warning)");
}

TEST(cli_words, rewrites_every_occurrence_and_inside_longer_texts) {
  EXPECT_EQ(cli_words("worker failed: bad operation spec \"a\": x; bad operation spec \"b\": y"),
            "worker failed: bad --op \"a\": x; bad --op \"b\": y");
  EXPECT_EQ(cli_words("bad operation spec \"thumbnail=9\": empty operation spec (nothing)"),
            "bad --op \"thumbnail=9\": empty --op (nothing)");
}

TEST(cli_words, leaves_other_text_alone) {
  for (const std::string text :
       {"", "not an image", "cannot read: No such file or directory",
        "image is 100x100 (10000 pixels), above --max-pixels 9999",  // already the CLI's words
        "output exists (pass --overwrite or --skip-existing)", "cannot write \".bmp\" files (pass --format)",
        "output would overwrite an input file (choose another -o)", "empty --op (expected name)",
        "bad --op \"x\": unknown", "max_pixels", "above max_pixels", "operation spec", "bad operation spec x",
        "set EncodeOptions::format", "choose another output folder"}) {
    EXPECT_EQ(cli_words(text), text);
  }
}
