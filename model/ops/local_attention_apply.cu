// CUDA kernels of the local attention apply (semantics: local_attention_apply.py).
//
// The k*k samples of position (b, i, j) lie at (y0 + u + beta, x0 + v + alpha), u, v < k: they
// share the fractions (alpha, beta), and their bilinear corners tile the (k+1) x (k+1) window of
// source pixels at (y0 + r, x0 + m), each index clamped to the map. The output is therefore a
// channel-independent linear combination of the window:
//     out[c] = sum_{r,m} coef[r][m] * source[c][window(r, m)],
//     coef[r][m] = 1/k^2 * sum_{u,v} weights[u*k+v] * (bilinear weight of corner (r, m) in sample (u, v)).
// Forward: one thread per position and group of channels; it builds coef once and reads each
// window pixel once per channel.
// Backward: a block covers 32 positions (lanes) x 8 channel groups (rows), each thread a position
// and every 8th channel:
//   - grad_source[c][window(r, m)] += coef[r][m] * g[c]   (atomics: windows of arbitrary flows overlap);
//   - weights and flow gradients are linear in T[r][m] = sum_c g[c] * source[c][window(r, m)], which
//     the threads accumulate over their channels and reduce over the block's rows in shared memory
//     (no atomics); then grad_weights[u*k+v] = 1/k^2 * (sample (u, v) of T) and grad_flow =
//     1/k^2 * sum_{u,v} weights[u*k+v] * d(sample (u, v) of T)/d(x, y).
// k is a template parameter (1 .. kMaxKernelSize) so that coef and T live in registers.
// Half types are read and written as stored and computed in float32.
#include <ATen/ATen.h>
#include <ATen/Dispatch.h>
#include <ATen/OpMathType.h>
#include <ATen/cuda/Atomic.cuh>
#include <c10/cuda/CUDAException.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>

#include <tuple>
#include <type_traits>

#include "custom_ops.h"

namespace {

constexpr int kMaxKernelSize = 8;  // keep in sync with CUDA_MAX_KERNEL_SIZE in local_attention_apply.py
constexpr int kForwardThreads = 256;
constexpr int kChannelsPerThread = 8;  // forward: channels sharing one set of window coefficients
constexpr int kLanes = 32;             // backward: positions per block
constexpr int kChannelGroups = 8;      // backward: channel groups per block

// The (k+1) x (k+1) source window of position (b, i, j): clamped row offsets (times the width)
// and column indices, and the shared bilinear fractions.
template <int K, typename acc_t, typename index_t>
struct Window {
  index_t rows[K + 1];
  index_t cols[K + 1];
  acc_t alpha, beta;

  __device__ __forceinline__ Window(const acc_t* flow, index_t b, index_t i, index_t j, index_t h, index_t w) {
    const index_t plane = h * w;
    const acc_t* f = flow + b * 2 * plane + i * w + j;
    const acc_t x = static_cast<acc_t>(j - K / 2) + f[0];
    const acc_t y = static_cast<acc_t>(i - K / 2) + f[plane];
    const acc_t x0 = floor(x), y0 = floor(y);
    alpha = x - x0;
    beta = y - y0;
    const acc_t max_x = static_cast<acc_t>(w - 1), max_y = static_cast<acc_t>(h - 1);
#pragma unroll
    for (int r = 0; r <= K; ++r) {
      rows[r] = static_cast<index_t>(gfla::clamp(y0 + r, acc_t(0), max_y)) * w;
      cols[r] = static_cast<index_t>(gfla::clamp(x0 + r, acc_t(0), max_x));
    }
  }
};

// coef[r * (K+1) + m] of the file comment, from the K*K weights of position `pixel` of batch b.
template <int K, typename scalar_t, typename acc_t, typename index_t>
__device__ __forceinline__ void window_coefficients(const scalar_t* weights, index_t b, index_t pixel,
                                                    index_t plane, acc_t alpha, acc_t beta,
                                                    acc_t (&coef)[(K + 1) * (K + 1)]) {
  constexpr int N = K + 1;
#pragma unroll
  for (int q = 0; q < N * N; ++q) coef[q] = 0;
  const scalar_t* a = weights + b * K * K * plane + pixel;
  const acc_t scale = acc_t(1) / (K * K);
#pragma unroll
  for (int u = 0; u < K; ++u) {
#pragma unroll
    for (int v = 0; v < K; ++v) {
      const acc_t weight = static_cast<acc_t>(a[(u * K + v) * plane]) * scale;
      const acc_t top = weight * (1 - beta), bottom = weight * beta;
      coef[u * N + v] += top * (1 - alpha);
      coef[u * N + v + 1] += top * alpha;
      coef[(u + 1) * N + v] += bottom * (1 - alpha);
      coef[(u + 1) * N + v + 1] += bottom * alpha;
    }
  }
}

template <int K, typename scalar_t, typename index_t>
__global__ void __launch_bounds__(kForwardThreads)
    local_attention_apply_forward_kernel(const scalar_t* __restrict__ source, const scalar_t* __restrict__ weights,
                                         const at::opmath_type<scalar_t>* __restrict__ flow,
                                         scalar_t* __restrict__ out, index_t batch, index_t channels, index_t h,
                                         index_t w) {
  using acc_t = at::opmath_type<scalar_t>;
  constexpr int N = K + 1;
  const index_t plane = h * w;
  const index_t position = static_cast<index_t>(blockIdx.x) * kForwardThreads + threadIdx.x;
  if (position >= batch * plane) return;
  const index_t pixel = position % plane;
  const index_t b = position / plane;
  const Window<K, acc_t, index_t> window(flow, b, pixel / w, pixel % w, h, w);
  acc_t coef[N * N];
  window_coefficients<K>(weights, b, pixel, plane, window.alpha, window.beta, coef);

  const index_t c_begin = static_cast<index_t>(blockIdx.y) * kChannelsPerThread;
  const index_t c_end = c_begin + kChannelsPerThread < channels ? c_begin + kChannelsPerThread : channels;
  const scalar_t* src = source + (b * channels + c_begin) * plane;
  scalar_t* dst = out + (b * channels + c_begin) * plane + pixel;
  for (index_t c = c_begin; c < c_end; ++c, src += plane, dst += plane) {
    acc_t sum = 0;
#pragma unroll
    for (int r = 0; r < N; ++r) {
#pragma unroll
      for (int m = 0; m < N; ++m) sum += coef[r * N + m] * static_cast<acc_t>(src[window.rows[r] + window.cols[m]]);
    }
    *dst = static_cast<scalar_t>(sum);
  }
}

// grad_source (accumulate type), grad_weights (scalar type) and grad_flow (accumulate type) may
// each be null (gradient not needed).
template <int K, typename scalar_t, typename index_t>
__global__ void __launch_bounds__(kLanes* kChannelGroups)
    local_attention_apply_backward_kernel(const scalar_t* __restrict__ grad_out, const scalar_t* __restrict__ source,
                                          const scalar_t* __restrict__ weights,
                                          const at::opmath_type<scalar_t>* __restrict__ flow,
                                          at::opmath_type<scalar_t>* __restrict__ grad_source,
                                          scalar_t* __restrict__ grad_weights,
                                          at::opmath_type<scalar_t>* __restrict__ grad_flow, index_t batch,
                                          index_t channels, index_t h, index_t w) {
  using acc_t = at::opmath_type<scalar_t>;
  constexpr int N = K + 1;
  const index_t plane = h * w;
  const index_t position = static_cast<index_t>(blockIdx.x) * kLanes + threadIdx.x;
  const bool valid = position < batch * plane;
  const index_t pixel = valid ? position % plane : 0;
  const index_t b = valid ? position / plane : 0;
  const bool need_window_sums = grad_weights != nullptr || grad_flow != nullptr;

  const Window<K, acc_t, index_t> window(flow, b, pixel / w, pixel % w, h, w);
  acc_t sums[N * N];  // T of the file comment, over this thread's channels
#pragma unroll
  for (int q = 0; q < N * N; ++q) sums[q] = 0;
  if (valid) {
    acc_t coef[N * N];
    if (grad_source != nullptr) {
      window_coefficients<K>(weights, b, pixel, plane, window.alpha, window.beta, coef);
    }
    for (index_t c = threadIdx.y; c < channels; c += kChannelGroups) {
      const index_t base = (b * channels + c) * plane;
      const acc_t g = static_cast<acc_t>(grad_out[base + pixel]);
#pragma unroll
      for (int r = 0; r < N; ++r) {
#pragma unroll
        for (int m = 0; m < N; ++m) {
          const index_t offset = base + window.rows[r] + window.cols[m];
          if (grad_source != nullptr) gpuAtomicAddNoReturn(grad_source + offset, coef[r * N + m] * g);
          if (need_window_sums) sums[r * N + m] += g * static_cast<acc_t>(source[offset]);
        }
      }
    }
  }
  if (!need_window_sums) return;  // uniform over the block: no thread waits at the barrier

  // sum the channel groups' window sums in a fixed order (deterministic)
  __shared__ acc_t totals[N * N][kLanes];
  for (int group = 0; group < kChannelGroups; ++group) {
    if (threadIdx.y == group) {
#pragma unroll
      for (int q = 0; q < N * N; ++q) {
        totals[q][threadIdx.x] = (group == 0 ? acc_t(0) : totals[q][threadIdx.x]) + sums[q];
      }
    }
    __syncthreads();
  }
  if (threadIdx.y != 0 || !valid) return;
#pragma unroll
  for (int q = 0; q < N * N; ++q) sums[q] = totals[q][threadIdx.x];

  const acc_t alpha = window.alpha, beta = window.beta;
  const acc_t scale = acc_t(1) / (K * K);
  acc_t grad_x = 0, grad_y = 0;
#pragma unroll
  for (int u = 0; u < K; ++u) {
#pragma unroll
    for (int v = 0; v < K; ++v) {
      const acc_t tl = sums[u * N + v], tr = sums[u * N + v + 1];
      const acc_t bl = sums[(u + 1) * N + v], br = sums[(u + 1) * N + v + 1];
      const index_t weight_index = (b * K * K + u * K + v) * plane + pixel;
      if (grad_weights != nullptr) {
        const acc_t sample = (1 - beta) * ((1 - alpha) * tl + alpha * tr) + beta * ((1 - alpha) * bl + alpha * br);
        grad_weights[weight_index] = static_cast<scalar_t>(scale * sample);
      }
      if (grad_flow != nullptr) {
        const acc_t weight = static_cast<acc_t>(weights[weight_index]);
        grad_x += weight * ((1 - beta) * (tr - tl) + beta * (br - bl));
        grad_y += weight * ((1 - alpha) * (bl - tl) + alpha * (br - tr));
      }
    }
  }
  if (grad_flow != nullptr) {
    acc_t* gf = grad_flow + b * 2 * plane + pixel;
    gf[0] = scale * grad_x;
    gf[plane] = scale * grad_y;
  }
}

// Runs f(std::integral_constant<int, k>{}) for k in 1 .. kMaxKernelSize (checked by the caller).
template <typename F>
void dispatch_kernel_size(int64_t k, F&& f) {
  switch (k) {
    case 1: return f(std::integral_constant<int, 1>{});
    case 2: return f(std::integral_constant<int, 2>{});
    case 3: return f(std::integral_constant<int, 3>{});
    case 4: return f(std::integral_constant<int, 4>{});
    case 5: return f(std::integral_constant<int, 5>{});
    case 6: return f(std::integral_constant<int, 6>{});
    case 7: return f(std::integral_constant<int, 7>{});
    case 8: return f(std::integral_constant<int, 8>{});
    default: TORCH_CHECK(false, "local_attention_apply: unsupported kernel_size ", gfla::int_text(k));
  }
}
static_assert(kMaxKernelSize == 8, "dispatch_kernel_size lists 1 .. kMaxKernelSize");

}  // namespace

int64_t local_attention_apply_max_kernel_size() { return kMaxKernelSize; }

// source, weights [B, k*k, H, W] (source's dtype), flow [B, 2, H, W] in the accumulate type, all
// contiguous on one CUDA device (checked by the caller) -> [B, C, H, W] of source's dtype.
at::Tensor local_attention_apply_forward_cuda(const at::Tensor& source, const at::Tensor& weights,
                                              const at::Tensor& flow, int64_t k) {
  const c10::cuda::OptionalCUDAGuard guard(source.device());
  auto out = at::empty_like(source, at::MemoryFormat::Contiguous);
  if (out.numel() == 0) return out;
  const int64_t batch = source.size(0), channels = source.size(1), h = source.size(2), w = source.size(3);
  TORCH_CHECK(gfla::ceil_div<int64_t>(channels, kChannelsPerThread) <= 65535,
              "local_attention_apply: source must have at most ", gfla::int_text(65535 * kChannelsPerThread),
              " channels (CUDA grid limit), got ", gfla::int_text(channels));
  const dim3 grid(static_cast<unsigned int>(gfla::ceil_div<int64_t>(batch * h * w, kForwardThreads)),
                  static_cast<unsigned int>(gfla::ceil_div<int64_t>(channels, kChannelsPerThread)));
  const auto stream = c10::cuda::getCurrentCUDAStream();
  const auto type = source.scalar_type();
  AT_DISPATCH_FLOATING_TYPES_AND2(at::kHalf, at::kBFloat16, type, "local_attention_apply_forward", [&] {
    using acc_t = at::opmath_type<scalar_t>;
    GFLA_DISPATCH_INDEX_TYPE(gfla::fits_int32({source, weights, flow}), [&] {
      dispatch_kernel_size(k, [&](auto kernel_size) {
        local_attention_apply_forward_kernel<decltype(kernel_size)::value, scalar_t, index_t>
            <<<grid, kForwardThreads, 0, stream>>>(
                source.const_data_ptr<scalar_t>(), weights.const_data_ptr<scalar_t>(), flow.const_data_ptr<acc_t>(),
                out.mutable_data_ptr<scalar_t>(), batch, channels, h, w);
        C10_CUDA_KERNEL_LAUNCH_CHECK();
      });
    });
  });
  return out;
}

// Gradients of local_attention_apply_forward_cuda: source and flow in the accumulate type, weights
// in its own dtype (undefined when not needed).
std::tuple<at::Tensor, at::Tensor, at::Tensor> local_attention_apply_backward_cuda(
    const at::Tensor& grad_out, const at::Tensor& source, const at::Tensor& weights, const at::Tensor& flow,
    int64_t k, bool need_source, bool need_weights, bool need_flow) {
  const c10::cuda::OptionalCUDAGuard guard(source.device());
  const auto acc_options = source.options().dtype(flow.scalar_type());
  at::Tensor grad_source = need_source ? at::zeros(source.sizes(), acc_options) : at::Tensor();
  // every position writes all of its weights and flow gradients: no zero fill needed
  at::Tensor grad_weights = need_weights ? at::empty(weights.sizes(), weights.options()) : at::Tensor();
  at::Tensor grad_flow = need_flow ? at::empty(flow.sizes(), acc_options) : at::Tensor();
  const int64_t batch = source.size(0), channels = source.size(1), h = source.size(2), w = source.size(3);
  if ((!need_source && !need_weights && !need_flow) || batch * h * w == 0) {
    return {grad_source, grad_weights, grad_flow};
  }
  if (need_source) at::globalContext().alertNotDeterministic("local_attention_apply_backward_cuda (source gradient)");
  const dim3 grid(static_cast<unsigned int>(gfla::ceil_div<int64_t>(batch * h * w, kLanes)));
  const dim3 block(kLanes, kChannelGroups);
  const auto stream = c10::cuda::getCurrentCUDAStream();
  const auto type = source.scalar_type();
  AT_DISPATCH_FLOATING_TYPES_AND2(at::kHalf, at::kBFloat16, type, "local_attention_apply_backward", [&] {
    using acc_t = at::opmath_type<scalar_t>;
    GFLA_DISPATCH_INDEX_TYPE(gfla::fits_int32({grad_out, source, weights, flow}), [&] {
      dispatch_kernel_size(k, [&](auto kernel_size) {
        local_attention_apply_backward_kernel<decltype(kernel_size)::value, scalar_t, index_t>
            <<<grid, block, 0, stream>>>(grad_out.const_data_ptr<scalar_t>(), source.const_data_ptr<scalar_t>(),
                                         weights.const_data_ptr<scalar_t>(), flow.const_data_ptr<acc_t>(),
                                         need_source ? grad_source.mutable_data_ptr<acc_t>() : nullptr,
                                         need_weights ? grad_weights.mutable_data_ptr<scalar_t>() : nullptr,
                                         need_flow ? grad_flow.mutable_data_ptr<acc_t>() : nullptr, batch, channels,
                                         h, w);
        C10_CUDA_KERNEL_LAUNCH_CHECK();
      });
    });
  });
  return {grad_source, grad_weights, grad_flow};
}
