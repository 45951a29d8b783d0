#pragma once
// What every benchmark shares: the device, NVML, a stream, the cuBLASLt handle, timing and
// the CSV being written.
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common.h"
#include "nvml.h"

namespace calib {

struct Device {
  int index = 0;
  std::string name, pci_bus_id, driver, runtime;
  int sm_count = 0, cc = 0;  // cc: 90 for compute capability 9.0
  std::size_t l2_bytes = 0, memory_bytes = 0;
};

// The first CUDA device, or nullopt (with the reason) when there is none or no driver.
std::optional<Device> find_device(std::string& why);

// Writes FILE.partial row by row and renames it to FILE at the end, so an interrupted run
// never leaves a file that looks complete.
class CsvWriter {
 public:
  CsvWriter(const std::string& path, const Device& dev);
  ~CsvWriter();
  void add(const Row& r);
  void finish();
  int rows() const { return rows_; }

 private:
  std::string path_, prefix_;
  std::FILE* f_ = nullptr;
  int rows_ = 0;
};

struct Context {
  Context(const Device& d, const std::string& out_path, bool quick);
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  // Clocks and power limit as read now, beside the measurement that was just taken.
  void stamp(Row& r) const;
  void add(Row r);  // stamps when the row carries no clocks yet

  Nvml nvml;   // before dev: dev's driver string comes from NVML
  Device dev;
  bool quick;
  cudaStream_t stream = nullptr;
  cublasLtHandle_t lt = nullptr;
  void* workspace = nullptr;
  std::size_t workspace_bytes = 32u << 20;  // what cuBLASLt recommends for Hopper
  CsvWriter csv;
};

// Median seconds per call: warm-up, then `batches` timed batches between CUDA events, each
// batch sized to take about `batch_s` so short calls are not drowned by event overhead.
// `call(i)` enqueues call number i on `stream` (use i to rotate buffers).
struct Timing {
  double seconds = 0;
  int batches = 0;
  long calls_per_batch = 0;
};
Timing time_median(cudaStream_t stream, const std::function<void(long)>& call, double batch_s, int batches,
                   long warmup_calls);

}  // namespace calib
