#pragma once
// imgpool::pool: a concurrent.futures-style worker pool on oneTBB. Depends on nothing image-related.

#include <imgpool/pool/chunking.hpp>
#include <imgpool/pool/cpu.hpp>
#include <imgpool/pool/error.hpp>
#include <imgpool/pool/executor.hpp>
#include <imgpool/pool/future.hpp>
#include <imgpool/pool/map.hpp>
#include <imgpool/pool/message.hpp>
#include <imgpool/pool/process_executor.hpp>
#include <imgpool/pool/process_worker.hpp>
#include <imgpool/pool/seconds.hpp>
#include <imgpool/pool/wait.hpp>
