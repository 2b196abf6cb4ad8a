// Python binding and argument checks of the Gaussian resampling CUDA kernels (resample2d.cu).
#include <torch/extension.h>

#include <cmath>
#include <tuple>

#include "custom_ops.h"

at::Tensor resample2d_forward_cuda(const at::Tensor& input, const at::Tensor& flow, int64_t kernel_size,
                                   int64_t dilation, double sigma);
std::tuple<at::Tensor, at::Tensor> resample2d_backward_cuda(const at::Tensor& grad_out, const at::Tensor& input,
                                                            const at::Tensor& flow, int64_t kernel_size,
                                                            int64_t dilation, double sigma, bool need_input,
                                                            bool need_flow);

namespace {

constexpr const char* kOp = "resample2d";

void check_inputs(const at::Tensor& input, const at::Tensor& flow, int64_t kernel_size, int64_t dilation,
                  double sigma) {
  gfla::check_cuda_floating(input, kOp, "input1");
  gfla::check_cuda_floating(flow, kOp, "flow");
  gfla::check_bchw(input, -1, kOp, "input1");
  gfla::check_bchw(flow, 2, kOp, "flow");
  gfla::check_same_device(flow, input, kOp, "flow", "input1");
  gfla::check_same_batch(flow, input, kOp, "flow", "input1");
  TORCH_CHECK(kernel_size >= 2, kOp, ": kernel_size must be >= 2 (2 * (kernel_size // 2) taps per axis), got ",
              gfla::int_text(kernel_size));
  TORCH_CHECK(dilation >= 1, kOp, ": dilation must be >= 1, got ", gfla::int_text(dilation));
  TORCH_CHECK(std::isfinite(sigma) && sigma > 0, kOp, ": sigma must be a finite number > 0, got ",
              gfla::real_text(sigma));
}

// The kernels read flow in the accumulate type (float32 for half inputs), contiguous.
at::Tensor flow_for_kernels(const at::Tensor& flow, const at::Tensor& input) {
  return flow.to(gfla::accumulate_type(input.scalar_type())).contiguous();
}

// input1 [B, C, Hi, Wi], flow [B, 2, H, W] -> [B, C, H, W] in input1's dtype.
at::Tensor forward(const at::Tensor& input, const at::Tensor& flow, int64_t kernel_size, int64_t dilation,
                   double sigma) {
  check_inputs(input, flow, kernel_size, dilation, sigma);
  const auto input_c = input.contiguous();
  const auto flow_c = flow_for_kernels(flow, input);
  return resample2d_forward_cuda(input_c, flow_c, kernel_size, dilation, sigma);
}

// Returns (grad_input1, grad_flow) in the dtypes of input1 and flow; None where not needed.
std::tuple<at::Tensor, at::Tensor> backward(const at::Tensor& grad_out, const at::Tensor& input,
                                            const at::Tensor& flow, int64_t kernel_size, int64_t dilation,
                                            double sigma, bool need_input, bool need_flow) {
  check_inputs(input, flow, kernel_size, dilation, sigma);
  gfla::check_cuda_floating(grad_out, kOp, "grad_out");
  gfla::check_same_device(grad_out, input, kOp, "grad_out", "input1");
  gfla::check_same_type(grad_out, input, kOp, "grad_out", "input1");
  gfla::check_shape(grad_out, {input.size(0), input.size(1), flow.size(2), flow.size(3)}, kOp, "grad_out");
  const auto grad_out_c = grad_out.contiguous();
  const auto input_c = input.contiguous();
  const auto flow_c = flow_for_kernels(flow, input);
  auto grads = resample2d_backward_cuda(grad_out_c, input_c, flow_c, kernel_size, dilation, sigma, need_input,
                                        need_flow);
  auto& grad_input = std::get<0>(grads);
  auto& grad_flow = std::get<1>(grads);
  if (grad_input.defined()) grad_input = grad_input.to(input.scalar_type());
  if (grad_flow.defined()) grad_flow = grad_flow.to(flow.scalar_type());
  return grads;
}

}  // namespace

PYBIND11_MODULE(TORCH_EXTENSION_NAME, m) {
  m.doc() = "Gaussian resampling CUDA kernels (GFLA Resample2d); see resample2d.py";
  m.def("forward", &forward, "input1 [B,C,Hi,Wi], flow [B,2,H,W], kernel_size, dilation, sigma -> [B,C,H,W]",
        py::arg("input1"), py::arg("flow"), py::arg("kernel_size"), py::arg("dilation"), py::arg("sigma"));
  m.def("backward", &backward, "(grad_input1 | None, grad_flow | None) of forward", py::arg("grad_out"),
        py::arg("input1"), py::arg("flow"), py::arg("kernel_size"), py::arg("dilation"), py::arg("sigma"),
        py::arg("need_input"), py::arg("need_flow"));
}
