// Python binding and argument checks of the block extractor's CUDA kernels (block_extractor.cu).
#include <torch/extension.h>

#include <tuple>

#include "custom_ops.h"

at::Tensor block_extractor_forward_cuda(const at::Tensor& source, const at::Tensor& flow, int64_t k);
std::tuple<at::Tensor, at::Tensor> block_extractor_backward_cuda(const at::Tensor& grad_out,
                                                                 const at::Tensor& source,
                                                                 const at::Tensor& flow, int64_t k,
                                                                 bool need_source, bool need_flow);

namespace {

constexpr const char* kOp = "block_extractor";

void check_inputs(const at::Tensor& source, const at::Tensor& flow, int64_t kernel_size) {
  gfla::check_cuda_floating(source, kOp, "source");
  gfla::check_cuda_floating(flow, kOp, "flow");
  gfla::check_bchw(source, -1, kOp, "source");
  gfla::check_bchw(flow, 2, kOp, "flow");
  gfla::check_same_device(flow, source, kOp, "flow", "source");
  gfla::check_same_batch(flow, source, kOp, "flow", "source");
  TORCH_CHECK(kernel_size >= 1, kOp, ": kernel_size must be >= 1, got ", gfla::int_text(kernel_size));
}

// The kernels read flow in the accumulate type (float32 for half sources: a bfloat16
// coordinate would be off by up to 1/4 pixel at x = 64), contiguous.
at::Tensor flow_for_kernels(const at::Tensor& flow, const at::Tensor& source) {
  return flow.to(gfla::accumulate_type(source.scalar_type())).contiguous();
}

// source [B, C, Hs, Ws], flow [B, 2, H, W] -> [B, C, k*H, k*W] in source's dtype.
at::Tensor forward(const at::Tensor& source, const at::Tensor& flow, int64_t kernel_size) {
  check_inputs(source, flow, kernel_size);
  const auto source_c = source.contiguous();
  const auto flow_c = flow_for_kernels(flow, source);
  return block_extractor_forward_cuda(source_c, flow_c, kernel_size);
}

// Returns (grad_source, grad_flow) in the dtypes of source and flow; None where not needed.
std::tuple<at::Tensor, at::Tensor> backward(const at::Tensor& grad_out, const at::Tensor& source,
                                            const at::Tensor& flow, int64_t kernel_size, bool need_source,
                                            bool need_flow) {
  check_inputs(source, flow, kernel_size);
  gfla::check_cuda_floating(grad_out, kOp, "grad_out");
  gfla::check_same_device(grad_out, source, kOp, "grad_out", "source");
  gfla::check_same_type(grad_out, source, kOp, "grad_out", "source");
  gfla::check_shape(grad_out, {source.size(0), source.size(1), kernel_size * flow.size(2), kernel_size * flow.size(3)},
                    kOp, "grad_out");
  const auto grad_out_c = grad_out.contiguous();
  const auto source_c = source.contiguous();
  const auto flow_c = flow_for_kernels(flow, source);
  auto grads = block_extractor_backward_cuda(grad_out_c, source_c, flow_c, kernel_size, need_source, need_flow);
  auto& grad_source = std::get<0>(grads);
  auto& grad_flow = std::get<1>(grads);
  if (grad_source.defined()) grad_source = grad_source.to(source.scalar_type());
  if (grad_flow.defined()) grad_flow = grad_flow.to(flow.scalar_type());
  return grads;
}

}  // namespace

PYBIND11_MODULE(TORCH_EXTENSION_NAME, m) {
  m.doc() = "Block extractor CUDA kernels (GFLA local attention); see block_extractor.py";
  m.def("forward", &forward, "source [B,C,Hs,Ws], flow [B,2,H,W], kernel_size -> [B,C,k*H,k*W]",
        py::arg("source"), py::arg("flow"), py::arg("kernel_size"));
  m.def("backward", &backward, "(grad_source | None, grad_flow | None) of forward", py::arg("grad_out"),
        py::arg("source"), py::arg("flow"), py::arg("kernel_size"), py::arg("need_source"),
        py::arg("need_flow"));
}
