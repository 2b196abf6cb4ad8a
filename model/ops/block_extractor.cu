// CUDA kernels of the block extractor (semantics: block_extractor.py, original: model/networks/block_extractor/).
//
// Forward: one thread per output pixel (b, y, x) and group of channels; consecutive threads
// write consecutive x, and the bilinear geometry is computed once for all channels of the group.
// Backward (one fused kernel): a block covers 32 flow positions (lanes) x 8 channel groups
// (rows); each thread handles the cell of its flow position, channel by channel. The k*k samples
// of a cell share their bilinear fractions and their corners tile a (k+1) x (k+1) grid of
// source pixels, so the thread visits that grid once: one source read and one atomic add per
// grid point instead of four per sample ((k+1)^2 vs 4k^2: 16 vs 36 for k=3, 36 vs 100 for k=5).
// Atomics remain for the source gradient (cells of arbitrary flows overlap anywhere); the flow
// gradient, a sum over C and k*k per flow position, is reduced in shared memory without atomics.
// The cell is read channel by channel, row by row, so each grad_out sector is used up while it
// is in L1 (lanes are k elements apart).
// Half types are read and written as stored and computed in float32.
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
constexpr int kChannelsPerThread = 8;  // forward: channels sharing one bilinear geometry
constexpr int kLanes = 32;             // backward: flow positions per block
constexpr int kChannelGroups = 8;      // backward: channel groups per block

// One axis of a bilinear sample with edge replication: the two neighbouring indices clamped to
// [0, size-1] after flooring, and the unclamped fraction (the original's arithmetic).
template <typename acc_t, typename index_t>
struct AxisCorners {
  index_t low, high;
  acc_t frac;

  __device__ __forceinline__ AxisCorners(acc_t coord, index_t size) {
    const acc_t base = floor(coord);
    const acc_t max_index = static_cast<acc_t>(size - 1);
    low = static_cast<index_t>(gfla::clamp(base, acc_t(0), max_index));
    high = static_cast<index_t>(gfla::clamp(base + 1, acc_t(0), max_index));
    frac = coord - base;
  }
};

// Flow (x, y) at flow position (b, i, j) of a [B, 2, H, W] flow.
template <typename acc_t, typename index_t>
__device__ __forceinline__ void read_flow(const acc_t* flow, index_t b, index_t i, index_t j, index_t flow_h,
                                          index_t flow_w, acc_t& fx, acc_t& fy) {
  const index_t plane = flow_h * flow_w;
  const acc_t* f = flow + b * 2 * plane + i * flow_w + j;
  fx = f[0];
  fy = f[plane];
}

template <typename scalar_t, typename index_t>
__global__ void __launch_bounds__(kForwardThreads)
    block_extractor_forward_kernel(const scalar_t* __restrict__ source,
                                   const at::opmath_type<scalar_t>* __restrict__ flow,
                                   scalar_t* __restrict__ out, index_t batch, index_t channels,
                                   index_t src_h, index_t src_w, index_t flow_h, index_t flow_w, int k) {
  using acc_t = at::opmath_type<scalar_t>;
  const index_t out_h = flow_h * k;
  const index_t out_w = flow_w * k;
  const index_t pixel = static_cast<index_t>(blockIdx.x) * kForwardThreads + threadIdx.x;
  if (pixel >= batch * out_h * out_w) return;
  const index_t x = pixel % out_w;
  const index_t y = (pixel / out_w) % out_h;
  const index_t b = pixel / (out_w * out_h);
  const index_t i = y / k;
  const index_t j = x / k;

  acc_t fx, fy;
  read_flow(flow, b, i, j, flow_h, flow_w, fx, fy);
  // sample point: flow position + in-cell offset - k/2 + flow, in source pixels
  const AxisCorners<acc_t, index_t> col(static_cast<acc_t>(j + (x - j * k) - k / 2) + fx, src_w);
  const AxisCorners<acc_t, index_t> row(static_cast<acc_t>(i + (y - i * k) - k / 2) + fy, src_h);
  const index_t top = row.low * src_w, bottom = row.high * src_w;
  const acc_t w_tl = (1 - col.frac) * (1 - row.frac);
  const acc_t w_tr = col.frac * (1 - row.frac);
  const acc_t w_bl = (1 - col.frac) * row.frac;
  const acc_t w_br = col.frac * row.frac;

  const index_t src_plane = src_h * src_w;
  const index_t out_plane = out_h * out_w;
  const index_t c_begin = static_cast<index_t>(blockIdx.y) * kChannelsPerThread;
  const index_t c_end = c_begin + kChannelsPerThread < channels ? c_begin + kChannelsPerThread : channels;
  const scalar_t* src = source + (b * channels + c_begin) * src_plane;
  scalar_t* dst = out + (b * channels + c_begin) * out_plane + y * out_w + x;
  for (index_t c = c_begin; c < c_end; ++c, src += src_plane, dst += out_plane) {
    *dst = static_cast<scalar_t>(w_tl * static_cast<acc_t>(src[top + col.low]) +
                                 w_tr * static_cast<acc_t>(src[top + col.high]) +
                                 w_bl * static_cast<acc_t>(src[bottom + col.low]) +
                                 w_br * static_cast<acc_t>(src[bottom + col.high]));
  }
}

// grad_source and grad_flow may be null (gradient not needed); both are in the accumulate type.
template <typename scalar_t, typename index_t>
__global__ void __launch_bounds__(kLanes* kChannelGroups)
    block_extractor_backward_kernel(const scalar_t* __restrict__ grad_out, const scalar_t* __restrict__ source,
                                    const at::opmath_type<scalar_t>* __restrict__ flow,
                                    at::opmath_type<scalar_t>* __restrict__ grad_source,
                                    at::opmath_type<scalar_t>* __restrict__ grad_flow, index_t batch,
                                    index_t channels, index_t src_h, index_t src_w, index_t flow_h,
                                    index_t flow_w, int k) {
  using acc_t = at::opmath_type<scalar_t>;
  const index_t flow_plane = flow_h * flow_w;
  const index_t position = static_cast<index_t>(blockIdx.x) * kLanes + threadIdx.x;
  const bool valid = position < batch * flow_plane;
  const index_t j = position % flow_w;
  const index_t i = (position / flow_w) % flow_h;
  const index_t b = position / flow_plane;

  acc_t grad_x = 0;
  acc_t grad_y = 0;
  if (valid) {
    acc_t fx, fy;
    read_flow(flow, b, i, j, flow_h, flow_w, fx, fy);
    // Sample (u, v) of the cell lies at (x_base + v, y_base + u): all k*k samples share the
    // fractions, and their corners tile the (k+1) x (k+1) source grid at (y0 + r, x0 + m).
    const acc_t x_base = static_cast<acc_t>(j - k / 2) + fx;
    const acc_t y_base = static_cast<acc_t>(i - k / 2) + fy;
    const acc_t x0 = floor(x_base), y0 = floor(y_base);
    const acc_t alpha = x_base - x0, beta = y_base - y0;
    const acc_t max_x = static_cast<acc_t>(src_w - 1), max_y = static_cast<acc_t>(src_h - 1);
    const index_t out_w = flow_w * k;
    const index_t out_plane = flow_plane * k * k;
    const index_t src_plane = src_h * src_w;
    for (index_t c = threadIdx.y; c < channels; c += kChannelGroups) {
      const scalar_t* g_cell = grad_out + (b * channels + c) * out_plane + i * k * out_w + j * k;
      const index_t plane = (b * channels + c) * src_plane;
      for (int r = 0; r <= k; ++r) {
        const index_t row = plane + static_cast<index_t>(gfla::clamp(y0 + r, acc_t(0), max_y)) * src_w;
        acc_t g_left = 0, g_up_left = 0;  // g[r][m-1] and g[r-1][m-1]; g is 0 outside the cell
        for (int m = 0; m <= k; ++m) {
          const acc_t g_here = (r < k && m < k) ? static_cast<acc_t>(g_cell[r * out_w + m]) : acc_t(0);
          const acc_t g_up = (r > 0 && m < k) ? static_cast<acc_t>(g_cell[(r - 1) * out_w + m]) : acc_t(0);
          const index_t offset = row + static_cast<index_t>(gfla::clamp(x0 + m, acc_t(0), max_x));
          if (grad_source != nullptr) {
            // grid point (r, m) is the top-left corner of sample (r, m), top-right of (r, m-1),
            // bottom-left of (r-1, m) and bottom-right of (r-1, m-1)
            gpuAtomicAddNoReturn(grad_source + offset, (1 - beta) * ((1 - alpha) * g_here + alpha * g_left) +
                                                           beta * ((1 - alpha) * g_up + alpha * g_up_left));
          }
          if (grad_flow != nullptr) {
            // the per-sample derivatives (1-b)(tr-tl) + b(br-bl) and (1-a)(bl-tl) + a(br-tr),
            // regrouped by grid point
            const acc_t value = static_cast<acc_t>(source[offset]);
            grad_x += value * ((1 - beta) * (g_left - g_here) + beta * (g_up_left - g_up));
            grad_y += value * ((1 - alpha) * (g_up - g_here) + alpha * (g_up_left - g_left));
          }
          g_left = g_here;
          g_up_left = g_up;
        }
      }
    }
  }
  if (grad_flow == nullptr) return;  // uniform over the block: no thread waits at the barrier

  __shared__ acc_t partial_x[kChannelGroups][kLanes];
  __shared__ acc_t partial_y[kChannelGroups][kLanes];
  partial_x[threadIdx.y][threadIdx.x] = grad_x;
  partial_y[threadIdx.y][threadIdx.x] = grad_y;
  __syncthreads();
  if (threadIdx.y != 0 || !valid) return;
  for (int group = 1; group < kChannelGroups; ++group) {
    grad_x += partial_x[group][threadIdx.x];
    grad_y += partial_y[group][threadIdx.x];
  }
  acc_t* gf = grad_flow + b * 2 * flow_plane + i * flow_w + j;
  gf[0] = grad_x;
  gf[flow_plane] = grad_y;
}

}  // namespace

// source [B, C, Hs, Ws] (any floating type), flow [B, 2, H, W] in the accumulate type, both
// contiguous on one CUDA device (checked by the caller) -> [B, C, k*H, k*W] of source's dtype.
at::Tensor block_extractor_forward_cuda(const at::Tensor& source, const at::Tensor& flow, int64_t k) {
  const c10::cuda::OptionalCUDAGuard guard(source.device());
  const int64_t batch = source.size(0), channels = source.size(1);
  const int64_t flow_h = flow.size(2), flow_w = flow.size(3);
  auto out = at::empty({batch, channels, k * flow_h, k * flow_w}, source.options());
  if (out.numel() == 0) return out;
  const int64_t pixels = batch * k * flow_h * k * flow_w;
  TORCH_CHECK(gfla::ceil_div<int64_t>(channels, kChannelsPerThread) <= 65535,
              "block_extractor: source must have at most ", gfla::int_text(65535 * kChannelsPerThread),
              " channels (CUDA grid limit), got ", gfla::int_text(channels));
  const dim3 grid(static_cast<unsigned int>(gfla::ceil_div<int64_t>(pixels, kForwardThreads)),
                  static_cast<unsigned int>(gfla::ceil_div<int64_t>(channels, kChannelsPerThread)));
  const auto stream = c10::cuda::getCurrentCUDAStream();
  AT_DISPATCH_FLOATING_TYPES_AND2(at::kHalf, at::kBFloat16, source.scalar_type(), "block_extractor_forward", [&] {
    using acc_t = at::opmath_type<scalar_t>;
    GFLA_DISPATCH_INDEX_TYPE(gfla::fits_int32({source, flow, out}), [&] {
      block_extractor_forward_kernel<scalar_t, index_t><<<grid, kForwardThreads, 0, stream>>>(
          source.const_data_ptr<scalar_t>(), flow.const_data_ptr<acc_t>(), out.mutable_data_ptr<scalar_t>(),
          batch, channels, source.size(2), source.size(3), flow_h, flow_w, static_cast<int>(k));
      C10_CUDA_KERNEL_LAUNCH_CHECK();
    });
  });
  return out;
}

// Gradients of block_extractor_forward_cuda, in the accumulate type (undefined when not needed).
std::tuple<at::Tensor, at::Tensor> block_extractor_backward_cuda(const at::Tensor& grad_out,
                                                                 const at::Tensor& source,
                                                                 const at::Tensor& flow, int64_t k,
                                                                 bool need_source, bool need_flow) {
  const c10::cuda::OptionalCUDAGuard guard(source.device());
  const auto acc_options = source.options().dtype(flow.scalar_type());
  at::Tensor grad_source = need_source ? at::zeros(source.sizes(), acc_options) : at::Tensor();
  at::Tensor grad_flow = need_flow ? at::zeros(flow.sizes(), acc_options) : at::Tensor();
  const int64_t batch = source.size(0), channels = source.size(1);
  const int64_t flow_h = flow.size(2), flow_w = flow.size(3);
  if ((!need_source && !need_flow) || grad_out.numel() == 0) return {grad_source, grad_flow};
  if (need_source) at::globalContext().alertNotDeterministic("block_extractor_backward_cuda (source gradient)");
  const dim3 grid(static_cast<unsigned int>(gfla::ceil_div<int64_t>(batch * flow_h * flow_w, kLanes)));
  const dim3 block(kLanes, kChannelGroups);
  const auto stream = c10::cuda::getCurrentCUDAStream();
  AT_DISPATCH_FLOATING_TYPES_AND2(at::kHalf, at::kBFloat16, source.scalar_type(), "block_extractor_backward", [&] {
    using acc_t = at::opmath_type<scalar_t>;
    GFLA_DISPATCH_INDEX_TYPE(gfla::fits_int32({grad_out, source, flow}), [&] {
      block_extractor_backward_kernel<scalar_t, index_t><<<grid, block, 0, stream>>>(
          grad_out.const_data_ptr<scalar_t>(), source.const_data_ptr<scalar_t>(), flow.const_data_ptr<acc_t>(),
          need_source ? grad_source.mutable_data_ptr<acc_t>() : nullptr,
          need_flow ? grad_flow.mutable_data_ptr<acc_t>() : nullptr, batch, channels, source.size(2),
          source.size(3), flow_h, flow_w, static_cast<int>(k));
      C10_CUDA_KERNEL_LAUNCH_CHECK();
    });
  });
  return {grad_source, grad_flow};
}
