#pragma once
// imgpool::core — image operations, pipelines, decoding/encoding, the file job and the batch runner.

#include <imgpool/core/batch.hpp>
#include <imgpool/core/decoder.hpp>
#include <imgpool/core/encoder.hpp>
#include <imgpool/core/error.hpp>
#include <imgpool/core/file_job.hpp>
#include <imgpool/core/file_job_codec.hpp>
#include <imgpool/core/format.hpp>
#include <imgpool/core/inputs.hpp>
#include <imgpool/core/memory_batch.hpp>
#include <imgpool/core/models.hpp>
#include <imgpool/core/operation.hpp>
#include <imgpool/core/operations.hpp>
#include <imgpool/core/pipeline.hpp>
#include <imgpool/core/shard.hpp>
