// The Node.js world's recipe, for comparison: sharp, as many files in flight as there are CPUs.
//   node bench/sharp_job.mjs OUT SIZE QUALITY FORMAT FILE...
// Same job as `imgpool thumbnail --size SIZE --format FORMAT --quality QUALITY`: auto-rotate, fit inside
// SIZE×SIZE without enlarging, then FORMAT jpg (4:2:0 chroma) or png (alpha kept).
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const sharp = require(process.env.SHARP_MODULE || "sharp");
const [out, size, quality, format, ...files] = process.argv.slice(2);
const box = Number(size);
let next = 0, failed = 0;

async function worker() {
  while (next < files.length) {
    const file = files[next++];
    const target = path.join(out, path.parse(file).name + "." + format);
    try {
      const resized = sharp(file)
        .rotate()
        .resize(box, box, { fit: "inside", withoutEnlargement: true });
      await (format === "png" ? resized.png()
                              : resized.jpeg({ quality: Number(quality), chromaSubsampling: "4:2:0" }))
        .toFile(target);
    } catch (e) {
      failed++;
      console.error(`failed: ${file}: ${e.message}`);
    }
  }
}

await Promise.all(Array.from({ length: os.availableParallelism() }, worker));
console.log(`${files.length - failed} processed, ${failed} failed`);
