#include <imgpool/core/ops/pipeline.hpp>

#include <algorithm>

namespace imgpool::core {

Pipeline Pipeline::parse(const std::vector<std::string>& specs) {
  std::vector<Operation> ops;
  ops.reserve(specs.size());
  for (const std::string& spec : specs) ops.push_back(parse_operation(spec));
  return Pipeline(std::move(ops));
}

bool Pipeline::needs_face_model() const {
  return std::any_of(ops_.begin(), ops_.end(), [](const Operation& op) { return op.needs_face_model(); });
}

bool Pipeline::luminance_only() const {
  for (const Operation& op : ops_) {
    if (op.drops_colour()) return true;
    if (op.needs_colour()) return false;
  }
  return false;
}

Size Pipeline::output_size(Size input) const {
  for (const Operation& op : ops_) input = op.output_size(input);
  return input;
}

Size Pipeline::min_source_size(Size input) const {
  for (const Operation& op : ops_) {
    if (!op.changes_geometry()) continue;
    const Size need = op.resample_size(input);
    if (need.width > input.width || need.height > input.height) return input;
    // The margin: a decode just above the target leaves the final kernel a ~1.25x reduction, too
    // little to antialias well (blurry or aliased thumbnails); 2x is where Pillow's reducing_gap and
    // libvips' shrink-on-load stop too.
    return {std::min(input.width, kSourceMargin * need.width), std::min(input.height, kSourceMargin * need.height)};
  }
  return input;
}

std::string Pipeline::describe() const {
  std::string out;
  for (const Operation& op : ops_) {
    if (!out.empty()) out += " | ";
    out += op.spec();
  }
  return out;
}

cv::Mat Pipeline::apply(cv::Mat image, const WorkerModels* models, std::optional<Size> logical_input) const {
  OperationContext context;
  context.models = models;
  context.logical_input = logical_input.value_or(image.size());
  for (const Operation& op : ops_) {
    const Size next = op.output_size(context.logical_input);
    image = op.apply(image, context);
    context.logical_input = next;
  }
  return image;
}

}  // namespace imgpool::core
