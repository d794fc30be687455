import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Resnet18Backbone, resnet18Channels, selectBackend } from '@equilab/sie';
import { backboneTensors, loadReferenceWeights, writeReferenceWeights } from './reference-weights';
import { TINY_WIDTH, backboneOutput, randomisedBackbone } from './weights.fixture';

/**
 * PyTorch's forward pass of the reference architecture (spec §2, written from the spec in the snippet below) on
 * weights exported by Equilab equals Equilab's backbone output — and the other way, weights saved by
 * `torch.save(model.state_dict())` load into Equilab's backbone with the same output. Needs Debian's
 * python3-torch; skipped (with the reason) otherwise.
 */
const REFERENCE_NET = String.raw`
import sys, numpy as np, torch, torch.nn as nn, torch.nn.functional as F

class Block(nn.Module):
    def __init__(self, cin, cout, stride, projection):
        super().__init__()
        self.stride = stride
        self.conv1 = nn.Conv2d(cin, cout, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        # Stride 2 sits on the second conv: zero-pad right/bottom by 1, then an unpadded conv.
        self.conv2 = nn.Conv2d(cout, cout, 3, stride, 0 if stride == 2 else 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout)) if projection else None

    def forward(self, x):
        h = F.relu(self.bn1(self.conv1(x)))
        if self.stride == 2:
            h = F.pad(h, (0, 1, 0, 1))
        h = self.bn2(self.conv2(h))
        return F.relu(h + (self.downsample(x) if self.downsample is not None else x))

class Backbone(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv1 = nn.Conv2d(3, c[0], 7, 2, 0, bias=False)
        self.bn1 = nn.BatchNorm2d(c[0])
        cin = c[0]
        for s, cout in enumerate(c):
            stride = 1 if s == 0 else 2
            # The first block of every stage has a projection shortcut.
            setattr(self, f"layer{s + 1}", nn.Sequential(Block(cin, cout, stride, True), Block(cout, cout, 1, False)))
            cin = cout

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(F.pad(x, (2, 3, 2, 3)))))
        x = F.max_pool2d(F.pad(x, (0, 1, 0, 1), value=-1e4), 3, 2)
        for s in range(4):
            x = getattr(self, f"layer{s + 1}")(x)
        return x.mean((2, 3))

mode, weights, channels, shape, input_file, output_file = sys.argv[1:7]
c = [int(v) for v in channels.split(",")]
n, h, w, _ = [int(v) for v in shape.split(",")]
net = Backbone(c)
if mode == "load":
    net.load_state_dict(torch.load(weights), strict=True)
else:
    torch.manual_seed(3)
    with torch.no_grad():
        for name, t in net.state_dict().items():
            if name.endswith("running_var") or name.endswith("bn1.weight") or name.endswith("bn2.weight") or name.endswith("downsample.1.weight"):
                t.uniform_(0.5, 1.5)
            elif name.endswith("bias") or name.endswith("running_mean"):
                t.uniform_(-0.2, 0.2)
            elif name.endswith("num_batches_tracked"):
                t.fill_(17)
            else:
                nn.init.kaiming_normal_(t, mode="fan_out", nonlinearity="relu")
    torch.save(net.state_dict(), weights)
net.eval()
x = torch.from_numpy(np.fromfile(input_file, dtype="<f4").reshape(n, h, w, 3)).permute(0, 3, 1, 2).contiguous()
with torch.no_grad():
    net(x).numpy().astype("<f4").tofile(output_file)
`;

function findTorchPython(): { python: string } | { reason: string } {
  const reasons: string[] = [];
  for (const python of ['/usr/bin/python3', 'python3']) {
    const probe = spawnSync(python, ['-c', 'import torch, numpy; print(torch.__version__)'], { encoding: 'utf8' });
    if (probe.status === 0) return { python };
    reasons.push(`${python}: ${probe.error ? probe.error.message : (probe.stderr.trim().split('\n').pop() ?? `exit ${probe.status}`)}`);
  }
  return { reason: `python3-torch is not installed (apt-get install -y python3-torch); ${reasons.join('; ')}` };
}

const torch = findTorchPython();
const shape: [number, number, number, number] = [2, 64, 64, 3];
const input = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i * 0.113) + 0.3 * Math.cos(i * 0.71));

function runReference(python: string, dir: string, mode: 'load' | 'save', weights: string): Float32Array {
  const script = path.join(dir, 'reference_net.py');
  writeFileSync(script, REFERENCE_NET);
  writeFileSync(path.join(dir, 'input.f32'), input);
  const run = spawnSync(
    python,
    [script, mode, weights, resnet18Channels(TINY_WIDTH).join(','), shape.join(','), path.join(dir, 'input.f32'), path.join(dir, 'output.f32')],
    { encoding: 'utf8' },
  );
  assert.equal(run.status, 0, `python failed: ${run.stderr}`);
  const bytes = readFileSync(path.join(dir, 'output.f32'));
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
}

/** Runs `fn` with the Python that has torch, a scratch folder and the backbone (disposed after); skips without torch. */
async function withTorch(t: TestContext, backbone: Resnet18Backbone, fn: (python: string, dir: string, backbone: Resnet18Backbone) => void): Promise<void> {
  if ('reason' in torch) {
    backbone.dispose();
    t.diagnostic(torch.reason);
    t.skip(torch.reason);
    return;
  }
  await selectBackend('cpu');
  const dir = mkdtempSync(path.join(tmpdir(), 'interop-torch-'));
  try {
    fn(torch.python, dir, backbone);
  } finally {
    backbone.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - (b[i] as number))), 0);
}

void test('PyTorch (reference architecture) on exported pth-state-dict weights = Equilab output to 1e-4', async (t) => {
  await withTorch(t, randomisedBackbone(5), (python, dir, backbone) => {
    const file = path.join(dir, 'final_weights.pth');
    writeReferenceWeights(backboneTensors(backbone), 'pth-state-dict', file);
    const theirs = runReference(python, dir, 'load', file);
    const ours = backboneOutput(backbone, input, shape);
    const diff = maxAbsDiff(ours, theirs);
    t.diagnostic(`max |Equilab − PyTorch| = ${diff.toExponential(2)} over ${ours.length} outputs (largest |output| ${Math.max(...ours.map(Math.abs)).toFixed(3)})`);
    assert.ok(diff <= 1e-4, `max abs difference ${diff}`);
  });
});

void test('weights saved by torch.save(model.state_dict()) load into Equilab: same output as PyTorch to 1e-4', async (t) => {
  await withTorch(t, new Resnet18Backbone({ widthMultiplier: TINY_WIDTH, seed: 11 }), (python, dir, backbone) => {
    const file = path.join(dir, 'final_weights.pth');
    const theirs = runReference(python, dir, 'save', file);
    const loaded = loadReferenceWeights(backbone, file);
    assert.equal(loaded.source, 'pth');
    const diff = maxAbsDiff(backboneOutput(backbone, input, shape), theirs);
    t.diagnostic(`max |Equilab − PyTorch| = ${diff.toExponential(2)} (largest |output| ${Math.max(...theirs.map(Math.abs)).toFixed(3)})`);
    assert.ok(diff <= 1e-4, `max abs difference ${diff}`);
  });
});
