"""Scalar transcriptions of the original CUDA kernels' formulas, one output
element at a time in Python floats. Independent of the twins (no grid_sample, no gather), so
they check the twins' semantics, not just their self-consistency. Only for tiny tensors.
"""
import math

import torch


def _clamp(value, low, high):
    return min(max(value, low), high)


def _bilinear_corners(x, y, height, width):
    """Block extractor: bilinear: floor, clamp every corner index, weights from the unclamped fraction.
    Returns ((row, col) of top-left, top-right, bottom-left, bottom-right), alpha, beta."""
    x0, y0 = math.floor(x), math.floor(y)
    alpha, beta = x - x0, y - y0
    left, right = _clamp(x0, 0, width - 1), _clamp(x0 + 1, 0, width - 1)
    top, bottom = _clamp(y0, 0, height - 1), _clamp(y0 + 1, 0, height - 1)
    return ((top, left), (top, right), (bottom, left), (bottom, right)), alpha, beta


def _block_point(flow, b, y, x, k):
    """Block extractor: sampling point (X, Y) of output (y, x) and its flow position (i, j)."""
    i, j, u, v = y // k, x // k, y % k, x % k
    off = k // 2
    return j + flow[b][0][i][j] + (v - off), i + flow[b][1][i][j] + (u - off), i, j


def block_extractor_loop(source, flow, k):
    """Block extractor: forward. source [B, C, Hs, Ws], flow [B, 2, H, W] -> [B, C, kH, kW] float64."""
    s, f = source.tolist(), flow.tolist()
    batch, channels, hs, ws = source.shape
    h, w = flow.shape[2:]
    out = torch.zeros(batch, channels, k * h, k * w, dtype=torch.float64)
    for b in range(batch):
        for y in range(k * h):
            for x in range(k * w):
                px, py, _, _ = _block_point(f, b, y, x, k)
                (tl, tr, bl, br), a, be = _bilinear_corners(px, py, hs, ws)
                for c in range(channels):
                    plane = s[b][c]
                    out[b, c, y, x] = ((1 - a) * (1 - be) * plane[tl[0]][tl[1]] + a * (1 - be) * plane[tr[0]][tr[1]]
                                       + (1 - a) * be * plane[bl[0]][bl[1]] + a * be * plane[br[0]][br[1]])
    return out


def block_extractor_backward_loop(grad_out, source, flow, k):
    """Block extractor: backward formulas (the original's atomicAdds as sums). -> (grad_source, grad_flow)."""
    g, s, f = grad_out.tolist(), source.tolist(), flow.tolist()
    batch, channels, hs, ws = source.shape
    h, w = flow.shape[2:]
    grad_source = torch.zeros(source.shape, dtype=torch.float64)
    grad_flow = torch.zeros(flow.shape, dtype=torch.float64)
    for b in range(batch):
        for y in range(k * h):
            for x in range(k * w):
                px, py, i, j = _block_point(f, b, y, x, k)
                (tl, tr, bl, br), a, be = _bilinear_corners(px, py, hs, ws)
                for c in range(channels):
                    go, plane = g[b][c][y][x], s[b][c]
                    for (row, col), weight in ((tl, (1 - a) * (1 - be)), (tr, a * (1 - be)),
                                               (bl, (1 - a) * be), (br, a * be)):
                        grad_source[b, c, row, col] += go * weight
                    v_tl, v_tr = plane[tl[0]][tl[1]], plane[tr[0]][tr[1]]
                    v_bl, v_br = plane[bl[0]][bl[1]], plane[br[0]][br[1]]
                    grad_flow[b, 0, i, j] += go * ((1 - be) * (v_tr - v_tl) + be * (v_br - v_bl))
                    grad_flow[b, 1, i, j] += go * ((1 - a) * (v_bl - v_tl) + a * (v_br - v_tr))
    return grad_source, grad_flow


def local_attn_reshape_loop(inputs, k):
    """Local attention reshape: forward: out[b, 0, y, x] = in[b, (y % k) * k + x % k, y // k, x // k]."""
    batch, _, h, w = inputs.shape
    out = torch.zeros(batch, 1, k * h, k * w, dtype=inputs.dtype)
    for b in range(batch):
        for y in range(k * h):
            for x in range(k * w):
                out[b, 0, y, x] = inputs[b, (y % k) * k + x % k, y // k, x // k]
    return out


def _resample_axis(coord, size, kernel_size, dilation, truncate=False):
    """Resample2d: taps of one axis: [(clamped index, distance, d distance / d coord)].
    Left taps x0 - f*d at distance f*d + alpha, right taps x0 + (f+1)*d at (f+1)*d - alpha.
    ``truncate`` takes the fraction as coord - int(coord), the original input-gradient bug."""
    x0 = math.floor(coord)
    alpha = coord - (int(coord) if truncate else x0)
    taps = []
    for f in range(kernel_size // 2):
        taps.append((_clamp(x0 - f * dilation, 0, size - 1), f * dilation + alpha, 1.0))
        taps.append((_clamp(x0 + (f + 1) * dilation, 0, size - 1), (f + 1) * dilation - alpha, -1.0))
    return taps


def _resample_taps(f, b, y, x, hi, wi, kernel_size, dilation, sigma, truncate=False):
    """[(row, col, weight, d weight / d dx, d weight / d dy)] of output (y, x), unnormalised."""
    rows = _resample_axis(y + f[b][1][y][x], hi, kernel_size, dilation, truncate)
    cols = _resample_axis(x + f[b][0][y][x], wi, kernel_size, dilation, truncate)
    taps = []
    for row, dist_y, sign_y in rows:
        for col, dist_x, sign_x in cols:
            weight = math.exp(-dist_x ** 2 / (2 * sigma ** 2)) * math.exp(-dist_y ** 2 / (2 * sigma ** 2))
            taps.append((row, col, weight, -(dist_x / sigma ** 2) * weight * sign_x,
                         -(dist_y / sigma ** 2) * weight * sign_y))
    return taps


def resample2d_loop(input1, flow, kernel_size, dilation, sigma):
    """Resample2d: forward: sum(w * I[clamped tap]) / sum(w). -> [B, C, H, W] float64."""
    im, f = input1.tolist(), flow.tolist()
    batch, channels, hi, wi = input1.shape
    h, w = flow.shape[2:]
    out = torch.zeros(batch, channels, h, w, dtype=torch.float64)
    for b in range(batch):
        for y in range(h):
            for x in range(w):
                taps = _resample_taps(f, b, y, x, hi, wi, kernel_size, dilation, sigma)
                total = sum(t[2] for t in taps)
                for c in range(channels):
                    out[b, c, y, x] = sum(wt * im[b][c][row][col] for row, col, wt, _, _ in taps) / total
    return out


def resample2d_flow_grad_loop(grad_out, input1, flow, kernel_size, dilation, sigma):
    """Resample2d: grad_input2 for (dx, dy): quotient rule, tap indices constant. -> [B, 2, H, W]."""
    g, im, f = grad_out.tolist(), input1.tolist(), flow.tolist()
    batch, channels, hi, wi = input1.shape
    h, w = flow.shape[2:]
    grad = torch.zeros(flow.shape, dtype=torch.float64)
    for b in range(batch):
        for y in range(h):
            for x in range(w):
                taps = _resample_taps(f, b, y, x, hi, wi, kernel_size, dilation, sigma)
                den = sum(t[2] for t in taps)
                for axis in (0, 1):
                    d_den = sum(t[3 + axis] for t in taps)
                    for c in range(channels):
                        num = sum(wt * im[b][c][row][col] for row, col, wt, _, _ in taps)
                        d_num = sum(t[3 + axis] * im[b][c][t[0]][t[1]] for t in taps)
                        grad[b, axis, y, x] += g[b][c][y][x] * (d_num * den - num * d_den) / den ** 2
    return grad


def resample2d_input_grad_loop(grad_out, input1, flow, kernel_size, dilation, sigma, truncate=False):
    """Resample2d: grad_input1: w / sum(w) * g scattered to the taps. ``truncate=True`` reproduces the
    original kernel's bug (fraction by truncation). -> [B, C, Hi, Wi]."""
    g, f = grad_out.tolist(), flow.tolist()
    batch, channels, hi, wi = input1.shape
    h, w = flow.shape[2:]
    grad = torch.zeros(input1.shape, dtype=torch.float64)
    for b in range(batch):
        for y in range(h):
            for x in range(w):
                taps = _resample_taps(f, b, y, x, hi, wi, kernel_size, dilation, sigma, truncate)
                total = sum(t[2] for t in taps)
                for c in range(channels):
                    for row, col, wt, _, _ in taps:
                        grad[b, c, row, col] += g[b][c][y][x] * wt / total
    return grad
