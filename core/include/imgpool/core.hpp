#pragma once
// imgpool::core — image operations, pipelines, decoding/encoding, the file job and the batch runner.

#include <imgpool/core/batch/batch.hpp>
#include <imgpool/core/batch/inputs.hpp>
#include <imgpool/core/batch/memory_batch.hpp>
#include <imgpool/core/batch/plan.hpp>
#include <imgpool/core/batch/shard.hpp>
#include <imgpool/core/codec/colour.hpp>
#include <imgpool/core/codec/decoder.hpp>
#include <imgpool/core/codec/encoder.hpp>
#include <imgpool/core/codec/format.hpp>
#include <imgpool/core/codec/metadata.hpp>
#include <imgpool/core/error.hpp>
#include <imgpool/core/job/file_job.hpp>
#include <imgpool/core/ops/kernel.hpp>
#include <imgpool/core/ops/models.hpp>
#include <imgpool/core/ops/operation.hpp>
#include <imgpool/core/ops/pipeline.hpp>
