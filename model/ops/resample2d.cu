// CUDA kernels of Gaussian resampling (semantics: resample2d.py, original: model/networks/resample2d_package/).
//
// A sample point (X, Y) = (x + dx, y + dy) takes the 2K x 2K taps around (floor X, floor Y),
// K = kernel_size // 2, taps `dilation` apart, tap indices clamped to the map, distances not.
// The Gaussian weight is separable, so the normaliser is (sum_x wx) * (sum_y wy).
//
// Forward: one thread per output pixel (b, y, x) and group of channels; consecutive threads
// write consecutive x, and each tap's weight is computed once for the whole group.
// Backward (one fused kernel): a block covers 32 output pixels (lanes) x 8 channel groups
// (rows). The input gradient is scattered with atomics (taps of different pixels overlap
// anywhere). The flow gradient needs no atomics: with normalised weights w_t and signed
// distances d_t = tap - X,
//   d out_c / d dx = sum_t w_t d_t (s_tc - out_c) / sigma^2,
// and summed against grad_out over channels this is (A_x - G * M_x) / sigma^2 with
//   A_x = sum_c g_c sum_t w_t d_t s_tc,  G = sum_c g_c out_c = sum_c g_c sum_t w_t s_tc,
//   M_x = sum_t w_t d_t,
// channel sums that each thread accumulates over its channels and the block reduces in shared
// memory. Tap indices are piecewise constant, so they carry no gradient.
#include <ATen/ATen.h>
#include <ATen/Dispatch.h>
#include <ATen/OpMathType.h>
#include <ATen/cuda/Atomic.cuh>
#include <c10/cuda/CUDAStream.h>
#include <c10/cuda/CUDAException.h>
#include <c10/cuda/CUDAGuard.h>

#include <tuple>

#include "custom_ops.h"

namespace {

constexpr int kForwardThreads = 256;
constexpr int kChannelsPerThread = 8;  // channels sharing one set of tap weights
constexpr int kLanes = 32;             // backward: output pixels per block
constexpr int kChannelGroups = 8;      // backward: channel groups per block

// Offset of tap t (0 <= t < 2K) from the floor of the sample point: -(K-1)d, ..., 0, d, ..., Kd.
__device__ __forceinline__ int tap_step(int t, int half_taps, int dilation) {
  return (t - half_taps + 1) * dilation;
}

// Taps of one axis of one sample point.
template <typename acc_t, typename index_t>
struct AxisTaps {
  acc_t base;             // floor of the coordinate
  acc_t frac;             // coordinate - base
  acc_t max_index;        // size - 1
  acc_t norm;             // 1 / sum of the Gaussian weights along this axis
  acc_t mean_distance;    // sum_t w_t d_t with normalised weights (M of the header)
  int half_taps, dilation;
  acc_t neg_half_inv_var;  // -1 / (2 sigma^2)

  __device__ __forceinline__ AxisTaps(acc_t coord, index_t size, int half_taps_, int dilation_,
                                      acc_t neg_half_inv_var_)
      : base(floor(coord)), frac(coord - floor(coord)), max_index(static_cast<acc_t>(size - 1)),
        half_taps(half_taps_), dilation(dilation_), neg_half_inv_var(neg_half_inv_var_) {
    acc_t total = 0, moment = 0;
    for (int t = 0; t < 2 * half_taps; ++t) {
      const acc_t d = distance(t);
      const acc_t w = exp(d * d * neg_half_inv_var);
      total += w;
      moment += w * d;
    }
    norm = 1 / total;
    mean_distance = moment * norm;
  }
  // Signed distance from the sample point to tap t (not clamped).
  __device__ __forceinline__ acc_t distance(int t) const {
    return static_cast<acc_t>(tap_step(t, half_taps, dilation)) - frac;
  }
  // Normalised Gaussian weight of tap t.
  __device__ __forceinline__ acc_t weight(int t) const {
    const acc_t d = distance(t);
    return exp(d * d * neg_half_inv_var) * norm;
  }
  // Index of tap t, clamped to the map.
  __device__ __forceinline__ index_t index(int t) const {
    return static_cast<index_t>(
        gfla::clamp(base + static_cast<acc_t>(tap_step(t, half_taps, dilation)), acc_t(0), max_index));
  }
};

template <typename scalar_t, typename index_t>
__global__ void __launch_bounds__(kForwardThreads)
    resample2d_forward_kernel(const scalar_t* __restrict__ input, const at::opmath_type<scalar_t>* __restrict__ flow,
                              scalar_t* __restrict__ out, index_t batch, index_t channels, index_t in_h,
                              index_t in_w, index_t out_h, index_t out_w, int half_taps, int dilation,
                              at::opmath_type<scalar_t> neg_half_inv_var) {
  using acc_t = at::opmath_type<scalar_t>;
  const index_t out_plane = out_h * out_w;
  const index_t pixel = static_cast<index_t>(blockIdx.x) * kForwardThreads + threadIdx.x;
  if (pixel >= batch * out_plane) return;
  const index_t x = pixel % out_w;
  const index_t y = (pixel / out_w) % out_h;
  const index_t b = pixel / out_plane;
  const acc_t* f = flow + b * 2 * out_plane + y * out_w + x;
  const AxisTaps<acc_t, index_t> tx(static_cast<acc_t>(x) + f[0], in_w, half_taps, dilation, neg_half_inv_var);
  const AxisTaps<acc_t, index_t> ty(static_cast<acc_t>(y) + f[out_plane], in_h, half_taps, dilation,
                                    neg_half_inv_var);

  const index_t in_plane = in_h * in_w;
  const index_t c_begin = static_cast<index_t>(blockIdx.y) * kChannelsPerThread;
  const int count = static_cast<int>(channels - c_begin < kChannelsPerThread ? channels - c_begin : kChannelsPerThread);
  const scalar_t* src = input + (b * channels + c_begin) * in_plane;
  acc_t sum[kChannelsPerThread] = {};
  for (int row_tap = 0; row_tap < 2 * half_taps; ++row_tap) {
    const acc_t w_row = ty.weight(row_tap);
    const index_t row = ty.index(row_tap) * in_w;
    for (int col_tap = 0; col_tap < 2 * half_taps; ++col_tap) {
      const acc_t w = w_row * tx.weight(col_tap);
      const index_t offset = row + tx.index(col_tap);
#pragma unroll
      for (int c = 0; c < kChannelsPerThread; ++c) {
        if (c < count) sum[c] += w * static_cast<acc_t>(src[c * in_plane + offset]);
      }
    }
  }
  scalar_t* dst = out + (b * channels + c_begin) * out_plane + y * out_w + x;
#pragma unroll
  for (int c = 0; c < kChannelsPerThread; ++c) {
    if (c < count) dst[c * out_plane] = static_cast<scalar_t>(sum[c]);
  }
}

// grad_input and grad_flow may be null (gradient not needed); both are in the accumulate type.
template <typename scalar_t, typename index_t>
__global__ void __launch_bounds__(kLanes* kChannelGroups)
    resample2d_backward_kernel(const scalar_t* __restrict__ grad_out, const scalar_t* __restrict__ input,
                               const at::opmath_type<scalar_t>* __restrict__ flow,
                               at::opmath_type<scalar_t>* __restrict__ grad_input,
                               at::opmath_type<scalar_t>* __restrict__ grad_flow, index_t batch, index_t channels,
                               index_t in_h, index_t in_w, index_t out_h, index_t out_w, int half_taps,
                               int dilation, at::opmath_type<scalar_t> neg_half_inv_var) {
  using acc_t = at::opmath_type<scalar_t>;
  const index_t out_plane = out_h * out_w;
  const index_t pixel = static_cast<index_t>(blockIdx.x) * kLanes + threadIdx.x;
  const bool valid = pixel < batch * out_plane;
  const index_t x = pixel % out_w;
  const index_t y = (pixel / out_w) % out_h;
  const index_t b = pixel / out_plane;

  acc_t moment_x = 0, moment_y = 0, total = 0;  // A_x, A_y and G of the header, over this thread's channels
  acc_t mean_dx = 0, mean_dy = 0;               // M_x, M_y
  if (valid) {
    const acc_t* f = flow + b * 2 * out_plane + y * out_w + x;
    const AxisTaps<acc_t, index_t> tx(static_cast<acc_t>(x) + f[0], in_w, half_taps, dilation, neg_half_inv_var);
    const AxisTaps<acc_t, index_t> ty(static_cast<acc_t>(y) + f[out_plane], in_h, half_taps, dilation,
                                      neg_half_inv_var);
    mean_dx = tx.mean_distance;
    mean_dy = ty.mean_distance;
    const index_t in_plane = in_h * in_w;
    for (index_t c_begin = static_cast<index_t>(threadIdx.y) * kChannelsPerThread; c_begin < channels;
         c_begin += kChannelGroups * kChannelsPerThread) {
      const int count =
          static_cast<int>(channels - c_begin < kChannelsPerThread ? channels - c_begin : kChannelsPerThread);
      const index_t first = (b * channels + c_begin);
      acc_t g[kChannelsPerThread];
#pragma unroll
      for (int c = 0; c < kChannelsPerThread; ++c) {
        g[c] = c < count ? static_cast<acc_t>(grad_out[(first + c) * out_plane + y * out_w + x]) : acc_t(0);
      }
      for (int row_tap = 0; row_tap < 2 * half_taps; ++row_tap) {
        const acc_t w_row = ty.weight(row_tap);
        const acc_t d_row = ty.distance(row_tap);
        const index_t row = ty.index(row_tap) * in_w;
        for (int col_tap = 0; col_tap < 2 * half_taps; ++col_tap) {
          const acc_t w = w_row * tx.weight(col_tap);
          const index_t offset = first * in_plane + row + tx.index(col_tap);
          if (grad_input != nullptr) {
#pragma unroll
            for (int c = 0; c < kChannelsPerThread; ++c) {
              if (c < count) gpuAtomicAddNoReturn(grad_input + offset + c * in_plane, w * g[c]);
            }
          }
          if (grad_flow != nullptr) {
            acc_t gs = 0;  // sum_c g_c s_tc over this thread's channels
#pragma unroll
            for (int c = 0; c < kChannelsPerThread; ++c) {
              if (c < count) gs += g[c] * static_cast<acc_t>(input[offset + c * in_plane]);
            }
            total += w * gs;
            moment_x += w * tx.distance(col_tap) * gs;
            moment_y += w * d_row * gs;
          }
        }
      }
    }
  }
  if (grad_flow == nullptr) return;  // uniform over the block: no thread waits at the barrier

  __shared__ acc_t partial[3][kChannelGroups][kLanes];
  partial[0][threadIdx.y][threadIdx.x] = moment_x;
  partial[1][threadIdx.y][threadIdx.x] = moment_y;
  partial[2][threadIdx.y][threadIdx.x] = total;
  __syncthreads();
  if (threadIdx.y != 0 || !valid) return;
  for (int group = 1; group < kChannelGroups; ++group) {
    moment_x += partial[0][group][threadIdx.x];
    moment_y += partial[1][group][threadIdx.x];
    total += partial[2][group][threadIdx.x];
  }
  const acc_t inv_var = -2 * neg_half_inv_var;
  acc_t* gf = grad_flow + b * 2 * out_plane + y * out_w + x;
  gf[0] = (moment_x - total * mean_dx) * inv_var;
  gf[out_plane] = (moment_y - total * mean_dy) * inv_var;
}

}  // namespace

// input [B, C, Hi, Wi] (any floating type), flow [B, 2, H, W] in the accumulate type, both
// contiguous on one CUDA device (checked by the caller) -> [B, C, H, W] of input's dtype.
at::Tensor resample2d_forward_cuda(const at::Tensor& input, const at::Tensor& flow, int64_t kernel_size,
                                   int64_t dilation, double sigma) {
  const c10::cuda::OptionalCUDAGuard guard(input.device());
  const int64_t batch = input.size(0), channels = input.size(1);
  const int64_t out_h = flow.size(2), out_w = flow.size(3);
  auto out = at::empty({batch, channels, out_h, out_w}, input.options());
  if (out.numel() == 0) return out;
  TORCH_CHECK(gfla::ceil_div<int64_t>(channels, kChannelsPerThread) <= 65535, "resample2d: input1 must have at most ",
              gfla::int_text(65535 * kChannelsPerThread), " channels (CUDA grid limit), got ", gfla::int_text(channels));
  const dim3 grid(static_cast<unsigned int>(gfla::ceil_div<int64_t>(batch * out_h * out_w, kForwardThreads)),
                  static_cast<unsigned int>(gfla::ceil_div<int64_t>(channels, kChannelsPerThread)));
  const auto stream = c10::cuda::getCurrentCUDAStream();
  AT_DISPATCH_FLOATING_TYPES_AND2(at::kHalf, at::kBFloat16, input.scalar_type(), "resample2d_forward", [&] {
    using acc_t = at::opmath_type<scalar_t>;
    GFLA_DISPATCH_INDEX_TYPE(gfla::fits_int32({input, flow, out}), [&] {
      resample2d_forward_kernel<scalar_t, index_t><<<grid, kForwardThreads, 0, stream>>>(
          input.const_data_ptr<scalar_t>(), flow.const_data_ptr<acc_t>(), out.mutable_data_ptr<scalar_t>(), batch,
          channels, input.size(2), input.size(3), out_h, out_w, static_cast<int>(kernel_size / 2),
          static_cast<int>(dilation), static_cast<acc_t>(-0.5 / (sigma * sigma)));
      C10_CUDA_KERNEL_LAUNCH_CHECK();
    });
  });
  return out;
}

// Gradients of resample2d_forward_cuda, in the accumulate type (undefined when not needed).
std::tuple<at::Tensor, at::Tensor> resample2d_backward_cuda(const at::Tensor& grad_out, const at::Tensor& input,
                                                            const at::Tensor& flow, int64_t kernel_size,
                                                            int64_t dilation, double sigma, bool need_input,
                                                            bool need_flow) {
  const c10::cuda::OptionalCUDAGuard guard(input.device());
  const auto acc_options = input.options().dtype(flow.scalar_type());
  at::Tensor grad_input = need_input ? at::zeros(input.sizes(), acc_options) : at::Tensor();
  at::Tensor grad_flow = need_flow ? at::zeros(flow.sizes(), acc_options) : at::Tensor();
  const int64_t batch = input.size(0), channels = input.size(1);
  const int64_t out_h = flow.size(2), out_w = flow.size(3);
  if ((!need_input && !need_flow) || grad_out.numel() == 0) return {grad_input, grad_flow};
  if (need_input) at::globalContext().alertNotDeterministic("resample2d_backward_cuda (input1 gradient)");
  const dim3 grid(static_cast<unsigned int>(gfla::ceil_div<int64_t>(batch * out_h * out_w, kLanes)));
  const dim3 block(kLanes, kChannelGroups);
  const auto stream = c10::cuda::getCurrentCUDAStream();
  AT_DISPATCH_FLOATING_TYPES_AND2(at::kHalf, at::kBFloat16, input.scalar_type(), "resample2d_backward", [&] {
    using acc_t = at::opmath_type<scalar_t>;
    GFLA_DISPATCH_INDEX_TYPE(gfla::fits_int32({grad_out, input, flow}), [&] {
      resample2d_backward_kernel<scalar_t, index_t><<<grid, block, 0, stream>>>(
          grad_out.const_data_ptr<scalar_t>(), input.const_data_ptr<scalar_t>(), flow.const_data_ptr<acc_t>(),
          need_input ? grad_input.mutable_data_ptr<acc_t>() : nullptr,
          need_flow ? grad_flow.mutable_data_ptr<acc_t>() : nullptr, batch, channels, input.size(2), input.size(3),
          out_h, out_w, static_cast<int>(kernel_size / 2), static_cast<int>(dilation),
          static_cast<acc_t>(-0.5 / (sigma * sigma)));
      C10_CUDA_KERNEL_LAUNCH_CHECK();
    });
  });
  return {grad_input, grad_flow};
}
