import * as tf from '@tensorflow/tfjs-core';
import { binaryCustomGrad } from './custom-grad.op';

/** Explicit zero padding of a convolution's input: [top, bottom, left, right]. */
export type Padding4 = readonly [number, number, number, number];

export interface Conv2dOptions {
  readonly stride: number;
  readonly pad: Padding4;
  /**
   * Whether the gradient with respect to the input is needed (default true). When false the input is not an input
   * of the gradient function: asking for its gradient fails loudly instead of returning zeros. Use it for the first
   * layer, whose input is the image batch, to skip the most expensive input gradient of the network.
   */
  readonly inputGrad?: boolean;
}

const ZERO_PAD: Padding4 = [0, 0, 0, 0];

function explicit(pad: Padding4): [[number, number], [number, number], [number, number], [number, number]] {
  return [
    [0, 0],
    [pad[0], pad[1]],
    [pad[2], pad[3]],
    [0, 0],
  ];
}

function plainConv(x: tf.Tensor4D, w: tf.Tensor4D, stride: number, pad: Padding4, dilation = 1): tf.Tensor4D {
  const p = pad[0] === 0 && pad[1] === 0 && pad[2] === 0 && pad[3] === 0 ? 'valid' : explicit(pad);
  return tf.conv2d(x, w, stride, p, 'NHWC', dilation);
}

/** Output spatial size of a convolution along one axis. */
export function convOutSize(size: number, k: number, stride: number, padBefore: number, padAfter: number): number {
  return Math.floor((size + padBefore + padAfter - k) / stride) + 1;
}

/**
 * dW for y = conv(x, w): a forward convolution with the batch moved to the channel axis and the output gradient
 * used as a filter dilated by the stride (wasm has no Conv2DBackpropFilter kernel). 1×1 filters use one matmul.
 */
export function conv2dFilterGrad(x: tf.Tensor4D, dy: tf.Tensor4D, kh: number, kw: number, stride: number, pad: Padding4): tf.Tensor4D {
  return tf.tidy(() => {
    const [b, h, w, ci] = x.shape;
    const [, oh, ow, co] = dy.shape;
    if (kh === 1 && kw === 1 && pad.every((p) => p === 0)) {
      const xs =
        stride === 1
          ? x
          : tf.stridedSlice(x, [0, 0, 0, 0], [b, (oh - 1) * stride + 1, (ow - 1) * stride + 1, ci], [1, stride, stride, 1]);
      const g = tf.matMul(tf.reshape(xs, [b * oh * ow, ci]), tf.reshape(dy, [b * oh * ow, co]), true, false);
      return tf.reshape(g, [1, 1, ci, co]);
    }
    // Rows of padded input actually read: (oh-1)*stride + kh; trim the trailing padding that no window touches.
    const extraH = h + pad[0] + pad[1] - ((oh - 1) * stride + kh);
    const extraW = w + pad[2] + pad[3] - ((ow - 1) * stride + kw);
    const padB = Math.max(0, pad[1] - extraH);
    const padR = Math.max(0, pad[3] - extraW);
    const xT = tf.transpose(x, [3, 1, 2, 0]); // [ci, h, w, b]
    const dyT = tf.transpose(dy, [1, 2, 0, 3]); // [oh, ow, b, co]
    let g = plainConv(xT, dyT, 1, [pad[0], padB, pad[2], padR], stride); // [ci, >=kh, >=kw, co]
    if (g.shape[1] !== kh || g.shape[2] !== kw) g = tf.slice(g, [0, 0, 0, 0], [ci, kh, kw, co]);
    return tf.transpose(g, [1, 2, 0, 3]);
  });
}

/** Inserts stride-1 zeros after every row and column: [b, oh, ow, c] → [b, oh·s, ow·s, c]. */
function zeroUpsample(dy: tf.Tensor4D, stride: number): tf.Tensor4D {
  const [b, oh, ow, c] = dy.shape;
  const six = tf.reshape(dy, [b, oh, 1, ow, 1, c]);
  const padded = tf.pad(six, [
    [0, 0],
    [0, 0],
    [0, stride - 1],
    [0, 0],
    [0, stride - 1],
    [0, 0],
  ]);
  return tf.reshape(padded, [b, oh * stride, ow * stride, c]);
}

/** The n×n anti-diagonal permutation matrix (a new tensor each call: backends may be switched in between). */
function reversalMatrix(n: number): tf.Tensor2D {
  const data = new Float32Array(n * n);
  for (let i = 0; i < n; i++) data[i * n + (n - 1 - i)] = 1;
  return tf.tensor2d(data, [n, n]);
}

/** The filter rotated by 180° in space with input and output channels swapped: [kh, kw, co, ci]. */
export function flipFilter(w: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const [kh, kw, ci, co] = w.shape;
    if (kh === 1 && kw === 1) return tf.transpose(w, [0, 1, 3, 2]);
    // Reversing the flattened tap axis flips both spatial axes; a tiny permutation matmul is far faster than
    // the wasm Reverse kernel.
    const flipped = tf.matMul(reversalMatrix(kh * kw), tf.reshape(w, [kh * kw, ci * co]));
    return tf.reshape(tf.transpose(tf.reshape(flipped, [kh * kw, ci, co]), [0, 2, 1]), [kh, kw, co, ci]);
  });
}

/** dX for y = conv(x, w): a forward convolution of the zero-upsampled, padded dy with the flipped filter. */
export function conv2dInputGrad(
  xShape: readonly [number, number, number, number],
  w: tf.Tensor4D,
  dy: tf.Tensor4D,
  stride: number,
  pad: Padding4,
): tf.Tensor4D {
  return tf.tidy((): tf.Tensor4D => {
    const [b, h, wd, ci] = xShape;
    const [kh, kw] = w.shape;
    const wf = flipFilter(w);
    if (kh === 1 && kw === 1 && pad.every((p) => p === 0)) {
      const [, oh, ow, co] = dy.shape;
      const g = tf.reshape<tf.Rank.R4>(tf.matMul(tf.reshape(dy, [b * oh * ow, co]), tf.reshape(wf, [co, ci])), [b, oh, ow, ci]);
      if (stride === 1) return g;
      const up = zeroUpsample(g, stride);
      return fitTo(up, h, wd);
    }
    let up: tf.Tensor4D = stride === 1 ? dy : zeroUpsample(dy, stride);
    // dx[r] = Σ_j up[r + top - (kh-1) + j] · wf[j]: pad top by kh-1-top, total length h + kh - 1.
    let top = kh - 1 - pad[0];
    let left = kw - 1 - pad[2];
    let bottom = h + kh - 1 - top - up.shape[1];
    let right = wd + kw - 1 - left - up.shape[2];
    if (top < 0 || left < 0 || bottom < 0 || right < 0) {
      const r0 = Math.max(0, -top);
      const c0 = Math.max(0, -left);
      const r1 = up.shape[1] - Math.max(0, -bottom);
      const c1 = up.shape[2] - Math.max(0, -right);
      up = tf.slice(up, [0, r0, c0, 0], [b, r1 - r0, c1 - c0, up.shape[3]]);
      top = Math.max(0, top);
      left = Math.max(0, left);
      bottom = Math.max(0, bottom);
      right = Math.max(0, right);
    }
    return plainConv(up, wf, 1, [top, bottom, left, right]);
  });
}

/** Crops or zero-pads the spatial size to h × w (trailing rows/columns). */
function fitTo(t: tf.Tensor4D, h: number, w: number): tf.Tensor4D {
  const [b, th, tw, c] = t.shape;
  let out: tf.Tensor4D = t;
  if (th > h || tw > w) out = tf.slice(out, [0, 0, 0, 0], [b, Math.min(th, h), Math.min(tw, w), c]);
  if (out.shape[1] < h || out.shape[2] < w)
    out = tf.pad(out, [
      [0, 0],
      [0, h - out.shape[1]],
      [0, w - out.shape[2]],
      [0, 0],
    ]);
  return out;
}

/**
 * 2-D convolution (NHWC input, [kh][kw][in][out] filter, explicit zero padding, no bias) whose gradients are
 * forward convolutions, so it trains on backends without Conv2DBackpropFilter (wasm).
 */
export function conv2d(x: tf.Tensor4D, w: tf.Tensor4D, options: Conv2dOptions): tf.Tensor4D {
  const { stride } = options;
  const pad = options.pad ?? ZERO_PAD;
  if (x.shape[3] !== w.shape[2])
    throw new Error(`conv2d: input has ${x.shape[3]} channels but the filter expects ${w.shape[2]}`);
  if (options.inputGrad === false) {
    const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const [wt, save] = args as [tf.Tensor4D, tf.GradSaveFunc];
      save([x]);
      return {
        value: plainConv(x, wt, stride, pad),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const xs = saved[0] as tf.Tensor4D;
          return [conv2dFilterGrad(xs, dy as tf.Tensor4D, w.shape[0], w.shape[1], stride, pad)];
        },
      };
    });
    return f(w);
  }
  return binaryCustomGrad(
    (xt: tf.Tensor4D, wt: tf.Tensor4D) => plainConv(xt, wt, stride, pad),
    (d: tf.Tensor4D, xs: tf.Tensor4D, ws: tf.Tensor4D) => [
      conv2dInputGrad(xs.shape, ws, d, stride, pad),
      conv2dFilterGrad(xs, d, ws.shape[0], ws.shape[1], stride, pad),
    ],
  )(x, w);
}
