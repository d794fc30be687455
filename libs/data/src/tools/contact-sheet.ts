import path from 'node:path';
import { mkdirSync } from 'node:fs';
import sharp from 'sharp';
import { SceneRenderer } from '../generator/scene.renderer';
import { objectMesh, viewLatents } from '../generator/dataset.plan';

/**
 * Renders a contact sheet of generated views (one per class, `cols × rows`) to a PNG, for the README:
 * `node libs/data/dist/tools/contact-sheet.js [out.png] [size] [cols] [rows] [seed]`.
 */
export async function renderContactSheet(out: string, size = 128, cols = 3, rows = 2, seed = 0, viewsPerObject = 1): Promise<void> {
  const renderer = new SceneRenderer(size);
  const tiles: sharp.OverlayOptions[] = [];
  for (let i = 0; i < cols * rows; i++) {
    const classIndex = Math.floor(i / viewsPerObject);
    const { mesh } = objectMesh(seed, classIndex, 0);
    const latent = viewLatents(seed, classIndex, 0, viewsPerObject)[i % viewsPerObject] as Float64Array;
    const png = await sharp(renderer.render(mesh, latent), { raw: { width: size, height: size, channels: 3 } }).png().toBuffer();
    tiles.push({ input: png, left: (i % cols) * (size + 4) + 4, top: Math.floor(i / cols) * (size + 4) + 4 });
  }
  mkdirSync(path.dirname(out), { recursive: true });
  await sharp({ create: { width: cols * (size + 4) + 4, height: rows * (size + 4) + 4, channels: 3, background: '#ffffff' } })
    .composite(tiles)
    .png({ compressionLevel: 9 })
    .toFile(out);
}

if (require.main === module) {
  const [out = 'docs/images/generated-views.png', size = '128', cols = '3', rows = '2', seed = '0', perObject = '1'] = process.argv.slice(2);
  renderContactSheet(out, Number(size), Number(cols), Number(rows), Number(seed), Number(perObject)).then(
    () => console.log(`wrote ${out}`),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
