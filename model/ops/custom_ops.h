// Shared C++/CUDA helpers of the custom ops (block_extractor, resample2d).
//
// Host side: argument checks whose messages name the op, the argument, what was got and what
// was expected, and the choice of 32- or 64-bit indexing. Device side (nvcc only): clamping and
// the index-type dispatch used by the launchers.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <limits>
#include <string>

namespace gfla {

// Numbers and shapes as text for the error messages. Formatted with std::to_string / snprintf,
// never through std::ostream's number formatting: on the H200 image, where the compiler's C++
// runtime differs from the one PyTorch was built with, `stream << int64_t` inside an extension
// crashed (SIGSEGV in std::ostream::_M_insert<long>) while strings streamed fine.
inline std::string int_text(int64_t value) { return std::to_string(value); }

inline std::string real_text(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%g", value);
  return buffer;
}

inline std::string shape_text(at::IntArrayRef sizes) {
  std::string text = "[";
  for (size_t i = 0; i < sizes.size(); ++i) {
    text += (i ? ", " : "") + std::to_string(sizes[i]);
  }
  return text + "]";
}

// A defined CUDA tensor of a floating type the kernels are instantiated for.
inline void check_cuda_floating(const at::Tensor& t, const char* op, const char* name) {
  TORCH_CHECK(t.defined(), op, ": ", name, " is undefined, expected a CUDA tensor");
  TORCH_CHECK(t.is_cuda(), op, ": ", name, " must be a CUDA tensor, got a tensor on ", t.device());
  const auto type = t.scalar_type();
  TORCH_CHECK(type == at::kFloat || type == at::kDouble || type == at::kHalf || type == at::kBFloat16,
              op, ": ", name, " must be float32, float64, float16 or bfloat16, got ", type);
}

// `t` is a [B, channels, H, W] tensor; channels < 0 accepts any channel count.
inline void check_bchw(const at::Tensor& t, int64_t channels, const char* op, const char* name) {
  TORCH_CHECK(t.dim() == 4, op, ": ", name, " must be a 4-D tensor [B, C, H, W], got shape ", shape_text(t.sizes()));
  TORCH_CHECK(channels < 0 || t.size(1) == channels, op, ": ", name, " must have ", int_text(channels),
              " channels, got shape ", shape_text(t.sizes()));
}

inline void check_same_device(const at::Tensor& a, const at::Tensor& b, const char* op,
                              const char* name_a, const char* name_b) {
  TORCH_CHECK(a.device() == b.device(), op, ": ", name_a, " and ", name_b,
              " must be on the same device, got ", a.device(), " and ", b.device());
}

inline void check_same_type(const at::Tensor& a, const at::Tensor& b, const char* op,
                            const char* name_a, const char* name_b) {
  TORCH_CHECK(a.scalar_type() == b.scalar_type(), op, ": ", name_a, " must have the dtype of ", name_b,
              " (", b.scalar_type(), "), got ", a.scalar_type());
}

inline void check_same_batch(const at::Tensor& a, const at::Tensor& b, const char* op,
                             const char* name_a, const char* name_b) {
  TORCH_CHECK(a.size(0) == b.size(0), op, ": ", name_a, " must have the batch size of ", name_b,
              " (", int_text(b.size(0)), "), got shape ", shape_text(a.sizes()));
}

// `t` has exactly `shape`.
inline void check_shape(const at::Tensor& t, at::IntArrayRef shape, const char* op, const char* name) {
  TORCH_CHECK(t.sizes() == shape, op, ": ", name, " must have shape ", shape_text(shape), ", got ",
              shape_text(t.sizes()));
}

// True when every element of every tensor is addressable with a 32-bit signed index.
inline bool fits_int32(std::initializer_list<at::Tensor> tensors) {
  for (const auto& t : tensors) {
    if (t.defined() && t.numel() > std::numeric_limits<int32_t>::max()) return false;
  }
  return true;
}

// The dtype kernels accumulate in: float32 for float16/bfloat16, else the dtype itself.
inline at::ScalarType accumulate_type(at::ScalarType type) {
  return (type == at::kHalf || type == at::kBFloat16) ? at::kFloat : type;
}

}  // namespace gfla

#ifdef __CUDACC__

// Runs the lambda with `index_t` = int32_t when `use_int32`, else int64_t (64-bit safe).
#define GFLA_DISPATCH_INDEX_TYPE(use_int32, ...) \
  [&] {                                          \
    if (use_int32) {                             \
      using index_t = int32_t;                   \
      return __VA_ARGS__();                      \
    }                                            \
    using index_t = int64_t;                     \
    return __VA_ARGS__();                        \
  }()

namespace gfla {

// Clamp in floating point before any integer conversion, so far-out (or inf) coordinates
// cannot overflow an index; NaN maps to `low`. The kernels weight that in-range sample by the
// coordinate's fraction, x - floor(x), which is NaN for NaN and +-inf: a non-finite flow gives
// NaN outputs, never a bad index nor a finite sample.
template <typename T>
__device__ __forceinline__ T clamp(T value, T low, T high) {
  return fmin(fmax(value, low), high);
}

template <typename T>
__host__ __device__ __forceinline__ T ceil_div(T a, T b) {
  return (a + b - 1) / b;
}

}  // namespace gfla

#endif  // __CUDACC__
