// The Node.js world's recipe, for comparison: sharp, as many files in flight as there are CPUs.
//   node bench/sharp_job.mjs OUT SIZE QUALITY FILE...
// Same job as `imgpool thumbnail --size SIZE --format jpg --quality QUALITY`: auto-rotate, fit inside
// SIZE×SIZE without enlarging, JPEG with 4:2:0 chroma.
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const sharp = require(process.env.SHARP_MODULE || "sharp");
const [out, size, quality, ...files] = process.argv.slice(2);
const box = Number(size);
let next = 0, failed = 0;

async function worker() {
  while (next < files.length) {
    const file = files[next++];
    const target = path.join(out, path.parse(file).name + ".jpg");
    try {
      await sharp(file)
        .rotate()
        .resize(box, box, { fit: "inside", withoutEnlargement: true })
        .jpeg({ quality: Number(quality), chromaSubsampling: "4:2:0" })
        .toFile(target);
    } catch (e) {
      failed++;
      console.error(`failed: ${file}: ${e.message}`);
    }
  }
}

await Promise.all(Array.from({ length: os.availableParallelism() }, worker));
console.log(`${files.length - failed} processed, ${failed} failed`);
