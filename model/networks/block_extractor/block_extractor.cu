// CUDA kernels of the block extractor (semantics: block_extractor.py, ORIGINAL.md §6.1).
//
// Forward: one thread per output pixel (b, y, x) and group of channels; consecutive threads
// write consecutive x, and the bilinear geometry is computed once for all channels of the group.
// Backward (one fused kernel): a block covers 32 flow positions (lanes) x 8 channel groups
// (rows); each thread walks the k*k cell of its flow position, channel by channel, row by row
// (so each grad_out sector is used up while it is in L1: lanes are k elements apart). The source
// gradient is scattered with atomics (flows are arbitrary, so cells overlap anywhere); the flow
// gradient is a sum over C and k*k per flow position, reduced in shared memory without atomics.
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
    const index_t out_w = flow_w * k;
    const index_t out_plane = flow_plane * k * k;
    const index_t src_plane = src_h * src_w;
    // Channels outermost: the k x k cell of one channel is read row by row, so the sectors a
    // row touches are reused at once (lanes are k elements apart in grad_out).
    for (index_t c = threadIdx.y; c < channels; c += kChannelGroups) {
      const scalar_t* g_cell = grad_out + (b * channels + c) * out_plane + i * k * out_w + j * k;
      const index_t plane = (b * channels + c) * src_plane;
      for (int u = 0; u < k; ++u) {
        const AxisCorners<acc_t, index_t> row(static_cast<acc_t>(i + u - k / 2) + fy, src_h);
        const index_t top = plane + row.low * src_w, bottom = plane + row.high * src_w;
        for (int v = 0; v < k; ++v) {
          const AxisCorners<acc_t, index_t> col(static_cast<acc_t>(j + v - k / 2) + fx, src_w);
          const acc_t g = static_cast<acc_t>(g_cell[u * out_w + v]);
          if (grad_source != nullptr) {
            gpuAtomicAddNoReturn(grad_source + top + col.low, g * (1 - col.frac) * (1 - row.frac));
            gpuAtomicAddNoReturn(grad_source + top + col.high, g * col.frac * (1 - row.frac));
            gpuAtomicAddNoReturn(grad_source + bottom + col.low, g * (1 - col.frac) * row.frac);
            gpuAtomicAddNoReturn(grad_source + bottom + col.high, g * col.frac * row.frac);
          }
          if (grad_flow != nullptr) {
            const acc_t tl = static_cast<acc_t>(source[top + col.low]);
            const acc_t tr = static_cast<acc_t>(source[top + col.high]);
            const acc_t bl = static_cast<acc_t>(source[bottom + col.low]);
            const acc_t br = static_cast<acc_t>(source[bottom + col.high]);
            grad_x += g * ((1 - row.frac) * (tr - tl) + row.frac * (br - bl));
            grad_y += g * ((1 - col.frac) * (bl - tl) + col.frac * (br - tr));
          }
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
              "block_extractor: source must have at most ", 65535 * kChannelsPerThread,
              " channels (CUDA grid limit), got ", channels);
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
