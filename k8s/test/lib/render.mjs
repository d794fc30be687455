// Render a Kustomize overlay with `kubectl kustomize` and parse the multi-document YAML it prints.
// kubectl comes from $KUBECTL, else k8s/.tools/bin/kubectl (scripts/install-tools.sh), else PATH.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export const deployDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const repoRoot = join(deployDir, '..');

export function kubectlBinary() {
  if (process.env.KUBECTL) return process.env.KUBECTL;
  const local = join(deployDir, '.tools', 'bin', 'kubectl');
  return existsSync(local) ? local : 'kubectl';
}

/** Objects of `kubectl kustomize k8s/<path>`, in output order. */
export function renderKustomization(path) {
  let out;
  try {
    out = execFileSync(kubectlBinary(), ['kustomize', join(deployDir, path)], {
      encoding: 'utf8',
      maxBuffer: 32 << 20,
    });
  } catch (err) {
    throw new Error(
      `kubectl kustomize ${path} failed (run \`bash k8s/scripts/install-tools.sh\` if kubectl is missing): ${err.stderr || err.message}`,
    );
  }
  return parseYamlDocuments(out, path);
}

export function parseYamlDocuments(text, source) {
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`${source}: ${doc.errors.map((e) => e.message).join('; ')}`);
      return doc.toJS({ maxAliasCount: -1 });
    })
    .filter((obj) => obj !== null && obj !== undefined);
}

export const overlays = ['overlays/local', 'overlays/gpu'];
