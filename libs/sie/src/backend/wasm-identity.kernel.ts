import * as tf from '@tensorflow/tfjs-core';

let installed = false;

/**
 * Replaces the wasm backend's Identity kernel (a full copy) with a reference-counted alias, as the cpu backend
 * and wasm's own Reshape do. tfjs clones (Identity) every tensor a gradient function saves, so on stock wasm each
 * activation kept for the backward pass is stored twice; aliasing halves the tape's memory and removes the copies.
 * Safe because tfjs tensors are immutable (variables get new data ids on assign).
 */
export function installAliasingIdentity(): void {
  if (installed) return;
  const stock = tf.getKernel(tf.Identity, 'wasm');
  if (!stock) return;
  tf.unregisterKernel(tf.Identity, 'wasm');
  tf.registerKernel({
    kernelName: tf.Identity,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const x = args.inputs.x as tf.TensorInfo;
      if (x.dtype === 'string') return stock.kernelFunc(args);
      (args.backend as unknown as { incRef(dataId: tf.DataId): void }).incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    },
  });
  installed = true;
}
