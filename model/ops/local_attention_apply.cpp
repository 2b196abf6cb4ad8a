// Python binding and argument checks of the local attention apply CUDA kernels
// (local_attention_apply.cu; semantics in local_attention_apply.py).
#include <torch/extension.h>

#include <tuple>

#include "custom_ops.h"

at::Tensor local_attention_apply_forward_cuda(const at::Tensor& source, const at::Tensor& weights,
                                              const at::Tensor& flow, int64_t k);
std::tuple<at::Tensor, at::Tensor, at::Tensor> local_attention_apply_backward_cuda(
    const at::Tensor& grad_out, const at::Tensor& source, const at::Tensor& weights, const at::Tensor& flow,
    int64_t k, bool need_source, bool need_weights, bool need_flow);
int64_t local_attention_apply_max_kernel_size();

namespace {

constexpr const char* kOp = "local_attention_apply";

void check_inputs(const at::Tensor& source, const at::Tensor& weights, const at::Tensor& flow,
                  int64_t kernel_size) {
  const int64_t max_k = local_attention_apply_max_kernel_size();
  TORCH_CHECK(kernel_size >= 1 && kernel_size <= max_k, kOp, ": kernel_size must be in [1, ",
              gfla::int_text(max_k), "] for the CUDA kernels, got ", gfla::int_text(kernel_size));
  gfla::check_cuda_floating(source, kOp, "source");
  gfla::check_cuda_floating(weights, kOp, "weights");
  gfla::check_cuda_floating(flow, kOp, "flow");
  gfla::check_bchw(source, -1, kOp, "source");
  gfla::check_same_device(weights, source, kOp, "weights", "source");
  gfla::check_same_device(flow, source, kOp, "flow", "source");
  gfla::check_same_type(weights, source, kOp, "weights", "source");
  gfla::check_shape(weights, {source.size(0), kernel_size * kernel_size, source.size(2), source.size(3)}, kOp,
                    "weights");
  gfla::check_shape(flow, {source.size(0), 2, source.size(2), source.size(3)}, kOp, "flow");
}

// The kernels read flow in the accumulate type (a bfloat16 coordinate can be a quarter pixel
// off), contiguous.
at::Tensor flow_for_kernels(const at::Tensor& flow, const at::Tensor& source) {
  return flow.to(gfla::accumulate_type(source.scalar_type())).contiguous();
}

// source [B, C, H, W], weights [B, k*k, H, W], flow [B, 2, H, W] -> [B, C, H, W] in source's dtype.
at::Tensor forward(const at::Tensor& source, const at::Tensor& weights, const at::Tensor& flow,
                   int64_t kernel_size) {
  check_inputs(source, weights, flow, kernel_size);
  return local_attention_apply_forward_cuda(source.contiguous(), weights.contiguous(),
                                            flow_for_kernels(flow, source), kernel_size);
}

// (grad_source, grad_weights, grad_flow) in the inputs' dtypes; None where not needed.
std::tuple<at::Tensor, at::Tensor, at::Tensor> backward(const at::Tensor& grad_out, const at::Tensor& source,
                                                        const at::Tensor& weights, const at::Tensor& flow,
                                                        int64_t kernel_size, bool need_source, bool need_weights,
                                                        bool need_flow) {
  check_inputs(source, weights, flow, kernel_size);
  gfla::check_cuda_floating(grad_out, kOp, "grad_out");
  gfla::check_same_device(grad_out, source, kOp, "grad_out", "source");
  gfla::check_same_type(grad_out, source, kOp, "grad_out", "source");
  gfla::check_shape(grad_out, source.sizes(), kOp, "grad_out");
  auto grads = local_attention_apply_backward_cuda(grad_out.contiguous(), source.contiguous(),
                                                   weights.contiguous(), flow_for_kernels(flow, source),
                                                   kernel_size, need_source, need_weights, need_flow);
  auto& grad_source = std::get<0>(grads);
  auto& grad_flow = std::get<2>(grads);
  if (grad_source.defined()) grad_source = grad_source.to(source.scalar_type());
  if (grad_flow.defined()) grad_flow = grad_flow.to(flow.scalar_type());
  return grads;
}

}  // namespace

PYBIND11_MODULE(TORCH_EXTENSION_NAME, m) {
  m.doc() = "Local attention apply CUDA kernels (GFLA ExtractorAttn); see local_attention_apply.py";
  m.def("forward", &forward, "source [B,C,H,W], weights [B,k*k,H,W], flow [B,2,H,W], kernel_size -> [B,C,H,W]",
        py::arg("source"), py::arg("weights"), py::arg("flow"), py::arg("kernel_size"));
  m.def("backward", &backward, "(grad_source | None, grad_weights | None, grad_flow | None) of forward",
        py::arg("grad_out"), py::arg("source"), py::arg("weights"), py::arg("flow"), py::arg("kernel_size"),
        py::arg("need_source"), py::arg("need_weights"), py::arg("need_flow"));
  m.def("max_kernel_size", &local_attention_apply_max_kernel_size, "largest kernel_size the kernels support");
}
