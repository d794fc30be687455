import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { encodeNpy } from '../npy/npy.format';
import { objectMesh, viewLatents } from './dataset.plan';
import { SceneRenderer } from './scene.renderer';

/** One object to render: its class and index (which fix its mesh and latents) and its folder under the root. */
export interface ObjectTask {
  classIndex: number;
  objectIndex: number;
  /** "/SYNSET/OBJ/" as in the split files. */
  entry: string;
}

export interface RenderSettings {
  root: string;
  seed: number;
  views: number;
  size: number;
  jpegQuality: number;
}

const renderers = new Map<number, SceneRenderer>();

/** Render every view of one object and write `image_{v}.jpg` + `latent_{v}.npy` (float64, 7 values). */
export async function writeObject(task: ObjectTask, settings: RenderSettings): Promise<void> {
  let renderer = renderers.get(settings.size);
  if (!renderer) {
    renderer = new SceneRenderer(settings.size);
    renderers.set(settings.size, renderer);
  }
  const dir = path.join(settings.root, task.entry);
  await mkdir(dir, { recursive: true });
  const { mesh } = objectMesh(settings.seed, task.classIndex, task.objectIndex);
  const latents = viewLatents(settings.seed, task.classIndex, task.objectIndex, settings.views);
  const writes: Promise<void>[] = [];
  latents.forEach((latent, v) => {
    const rgb = renderer.render(mesh, latent);
    writes.push(
      sharp(rgb, { raw: { width: settings.size, height: settings.size, channels: 3 } })
        .jpeg({ quality: settings.jpegQuality })
        .toBuffer()
        .then((jpeg) => writeFile(path.join(dir, `image_${v}.jpg`), jpeg)),
      writeFile(path.join(dir, `latent_${v}.npy`), encodeNpy({ dtype: '<f8', shape: [7], data: latent })),
    );
  });
  await Promise.all(writes);
}
