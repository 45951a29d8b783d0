#include "context.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

namespace calib {

void check(cudaError_t e, const char* what, const char* file, int line) {
  if (e != cudaSuccess) {
    throw Failure(std::string(file) + ":" + std::to_string(line) + ": " + what + ": " + cudaGetErrorString(e));
  }
}
void check(cublasStatus_t s, const char* what, const char* file, int line) {
  if (s != CUBLAS_STATUS_SUCCESS) {
    throw Failure(std::string(file) + ":" + std::to_string(line) + ": " + what + ": cuBLAS status " +
                  std::to_string(static_cast<int>(s)));
  }
}

const char* name(Dtype t) {
  switch (t) {
    case Dtype::kBf16: return "bf16";
    case Dtype::kFp8E4M3: return "fp8e4m3";
    case Dtype::kTf32: return "tf32";
    case Dtype::kFp32: return "fp32";
  }
  return "?";
}
std::size_t element_bytes(Dtype t) {
  return t == Dtype::kBf16 ? 2 : t == Dtype::kFp8E4M3 ? 1 : 4;
}
std::size_t input_bytes(Dtype t) { return element_bytes(t); }
Dtype output_type(Dtype t) { return t == Dtype::kTf32 || t == Dtype::kFp32 ? Dtype::kFp32 : Dtype::kBf16; }
// bf16 output rounding alone is 2^-9 per element; fp8 adds Hopper's reduced-precision
// accumulation; tf32 rounds inputs to a 10-bit mantissa.
double tolerance(Dtype t) {
  switch (t) {
    case Dtype::kBf16: return 1e-2;
    case Dtype::kFp8E4M3: return 2e-2;
    case Dtype::kTf32: return 2e-3;
    case Dtype::kFp32: return 1e-5;
  }
  return 0;
}

std::optional<Device> find_device(std::string& why) {
  int count = 0;
  const cudaError_t e = cudaGetDeviceCount(&count);
  if (e != cudaSuccess || count == 0) {
    why = e != cudaSuccess ? cudaGetErrorString(e) : "no CUDA device";
    return std::nullopt;
  }
  Device d;
  cudaDeviceProp p{};
  CALIB_CHECK(cudaGetDeviceProperties(&p, d.index));
  d.name = p.name;
  int v = 0;
  CALIB_CHECK(cudaDeviceGetAttribute(&v, cudaDevAttrMultiProcessorCount, d.index));
  d.sm_count = v;
  CALIB_CHECK(cudaDeviceGetAttribute(&v, cudaDevAttrL2CacheSize, d.index));
  d.l2_bytes = static_cast<std::size_t>(v);
  d.memory_bytes = p.totalGlobalMem;
  d.cc = p.major * 10 + p.minor;
  char bus[32] = {};
  CALIB_CHECK(cudaDeviceGetPCIBusId(bus, sizeof bus, d.index));
  d.pci_bus_id = bus;
  CALIB_CHECK(cudaRuntimeGetVersion(&v));
  d.runtime = std::to_string(v / 1000) + "." + std::to_string(v % 1000 / 10);
  CALIB_CHECK(cudaDriverGetVersion(&v));
  d.driver = "cuda-api-" + std::to_string(v / 1000) + "." + std::to_string(v % 1000 / 10);  // until NVML says
  return d;
}

namespace {
std::string quoted(const std::string& s) {
  if (s.find_first_of(",\"") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}
std::string num(const std::optional<double>& x) {
  if (!x) return "";
  char buf[40];
  // Whole numbers (sizes, counts, bytes up to 2^53) in full: "%.9g" wrote 1 GiB as 1.07374182e+09.
  if (std::abs(*x) < 9.007199254740992e15 && *x == std::floor(*x)) {
    std::snprintf(buf, sizeof buf, "%.0f", *x);
  } else {
    std::snprintf(buf, sizeof buf, "%.9g", *x);
  }
  return buf;
}
}  // namespace

CsvWriter::CsvWriter(const std::string& path, const Device& dev) : path_(path) {
  f_ = std::fopen((path + ".partial").c_str(), "w");
  if (!f_) throw Failure("cannot write " + path + ".partial");
  std::fputs("gpu_name,driver,cuda_runtime,sm_clock_mhz,mem_clock_mhz,power_limit_w,benchmark,variant,dtype,"
             "m,n,k,bytes,duty_pct,metric,value,unit,repeats,check_rel_error\n", f_);
  prefix_ = quoted(dev.name) + "," + quoted(dev.driver) + "," + quoted(dev.runtime) + ",";
}
CsvWriter::~CsvWriter() {
  if (f_) std::fclose(f_);
}
void CsvWriter::add(const Row& r) {
  std::fprintf(f_, "%s%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%d,%s\n", prefix_.c_str(),
               num(r.sm_clock_mhz).c_str(), num(r.mem_clock_mhz).c_str(), num(r.power_limit_w).c_str(),
               quoted(r.benchmark).c_str(), quoted(r.variant).c_str(), quoted(r.dtype).c_str(), num(r.m).c_str(),
               num(r.n).c_str(), num(r.k).c_str(), num(r.bytes).c_str(), num(r.duty_pct).c_str(),
               quoted(r.metric).c_str(), num(r.value).c_str(), quoted(r.unit).c_str(), r.repeats,
               num(r.check_rel_error).c_str());
  std::fflush(f_);
  ++rows_;
}
void CsvWriter::finish() {
  if (std::fclose(f_) != 0) throw Failure("cannot finish " + path_ + ".partial");
  f_ = nullptr;
  if (std::rename((path_ + ".partial").c_str(), path_.c_str()) != 0) throw Failure("cannot rename to " + path_);
}

namespace {
Device with_nvml_driver(Device d, const Nvml& nvml) {
  if (const std::string v = nvml.driver_version(); !v.empty()) d.driver = v;
  return d;
}
}  // namespace

Context::Context(const Device& d, const std::string& out_path, bool q)
    : nvml(d.pci_bus_id), dev(with_nvml_driver(d, nvml)), quick(q), csv(out_path, dev) {
  CALIB_CHECK(cudaSetDevice(dev.index));
  CALIB_CHECK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
  CALIB_CHECK(cublasLtCreate(&lt));
  CALIB_CHECK(cudaMalloc(&workspace, workspace_bytes));
}
Context::~Context() {
  if (workspace) cudaFree(workspace);
  if (lt) cublasLtDestroy(lt);
  if (stream) cudaStreamDestroy(stream);
}

void Context::stamp(Row& r) const {
  r.sm_clock_mhz = nvml.sm_clock_mhz();
  r.mem_clock_mhz = nvml.mem_clock_mhz();
  r.power_limit_w = nvml.power_limit_w();
}
void Context::add(Row r) {
  if (!r.sm_clock_mhz) stamp(r);
  csv.add(r);
}

Timing time_median(cudaStream_t stream, const std::function<void(long)>& call, double batch_s, int batches,
                   long warmup_calls) {
  long i = 0;
  for (; i < std::max(warmup_calls, 3L); ++i) call(i);
  cudaEvent_t start, stop;
  CALIB_CHECK(cudaEventCreate(&start));
  CALIB_CHECK(cudaEventCreate(&stop));
  auto timed = [&](long n) {
    CALIB_CHECK(cudaEventRecord(start, stream));
    for (long j = 0; j < n; ++j) call(i++);
    CALIB_CHECK(cudaEventRecord(stop, stream));
    CALIB_CHECK(cudaEventSynchronize(stop));
    float ms = 0;
    CALIB_CHECK(cudaEventElapsedTime(&ms, start, stop));
    return ms * 1e-3 / static_cast<double>(n);
  };
  const double one = timed(1);  // sizes the batches; not part of the median
  Timing t;
  t.calls_per_batch = std::clamp(static_cast<long>(std::ceil(batch_s / std::max(one, 1e-7))), 1L, 20000L);
  std::vector<double> per_call;
  for (int b = 0; b < batches; ++b) per_call.push_back(timed(t.calls_per_batch));
  CALIB_CHECK(cudaEventDestroy(start));
  CALIB_CHECK(cudaEventDestroy(stop));
  std::sort(per_call.begin(), per_call.end());
  t.batches = batches;
  t.seconds = per_call[per_call.size() / 2];
  return t;
}

}  // namespace calib
