// Rules for docker/*.Dockerfile, checked on the parse tree of dockerfile-ast. Each returns violations ([] = ok).
import { DockerfileParser } from 'dockerfile-ast';

/** Stages of a Dockerfile: { name, index, from: { image, tag, digest, stage }, instructions, keyword(k) }. */
export function stages(text) {
  const dockerfile = DockerfileParser.parse(text);
  const out = [];
  for (const instr of dockerfile.getInstructions()) {
    const kw = instr.getKeyword();
    if (kw === 'FROM') {
      const from = instr;
      const image = from.getImageName();
      const known = out.find((s) => s.name === image);
      out.push({
        name: from.getBuildStage() ?? String(out.length),
        index: out.length,
        from: {
          raw: from.getImage() ?? '',
          image,
          tag: from.getImageTag(),
          digest: from.getImageDigest(),
          stage: known?.name ?? null,
        },
        instructions: [],
      });
    } else if (out.length > 0) {
      out[out.length - 1].instructions.push(instr);
    }
  }
  return out;
}

const args = (instr) => instr.getArgumentsContent() ?? '';
const flag = (instr, name) =>
  (instr.getFlags?.() ?? []).find((f) => f.getName() === name)?.getValue() ?? null;
const ofKeyword = (stage, kw) => stage.instructions.filter((i) => i.getKeyword() === kw);

/** The stage named `name`, following FROM <stage> chains for a property that stages inherit. */
const stageByName = (all, name) => all.find((s) => s.name === name);

/** Every FROM names an earlier stage or an image with an explicit, non-`latest` tag (or a digest), no variables. */
export function pinnedBaseViolations(all) {
  const out = [];
  for (const s of all) {
    if (s.from.stage) continue;
    if (/\$/.test(s.from.raw)) out.push(`stage ${s.name}: FROM ${s.from.raw} uses a variable`);
    else if (!s.from.digest && (!s.from.tag || s.from.tag === 'latest'))
      out.push(`stage ${s.name}: FROM ${s.from.raw} is not pinned to an explicit tag`);
  }
  return out;
}

/** The final stage sets a USER that is neither root nor 0. */
export function nonRootUserViolations(all) {
  const final = all.at(-1);
  const users = ofKeyword(final, 'USER').map(args);
  const last = users.at(-1);
  if (!last) return [`final stage ${final.name} sets no USER`];
  const [user, group] = last.split(':');
  if (user === 'root' || user === '0' || group === 'root' || group === '0')
    return [`final stage ${final.name} runs as ${last}`];
  return [];
}

export function healthcheckViolations(all) {
  const final = all.at(-1);
  const hc = ofKeyword(final, 'HEALTHCHECK');
  if (hc.length === 0) return [`final stage ${final.name} has no HEALTHCHECK`];
  if (/^NONE\b/i.test(args(hc.at(-1)))) return [`final stage ${final.name} disables HEALTHCHECK`];
  return [];
}

/** npm commands of a RUN, split on && / ; / ||. */
const npmCommands = (run) =>
  args(run)
    .replace(/\\\n/g, ' ')
    .split(/&&|\|\||;/)
    .map((c) => c.trim().replace(/\s+/g, ' '))
    .filter((c) => /^npm (ci|install|i|prune|add)\b/.test(c));

/**
 * Whether each stage's node_modules holds dev dependencies: `npm ci`/`npm install` without --omit=dev adds them,
 * `npm prune --omit=dev` (or `npm ci --omit=dev`) leaves production ones only. Stages inherit from FROM <stage>.
 */
export function devDependencyState(all) {
  const state = new Map();
  for (const s of all) {
    let dev = s.from.stage ? state.get(s.from.stage) : false;
    for (const run of ofKeyword(s, 'RUN'))
      for (const cmd of npmCommands(run)) {
        if (/\s(-g|--global)\b/.test(cmd)) continue; // global tools (turbo) are not the app's node_modules
        const omitDev = /--omit[= ]dev\b|--production\b|--only[= ]prod/.test(cmd);
        if (/^npm prune/.test(cmd)) dev = omitDev ? false : dev;
        else if (/^npm ci/.test(cmd)) dev = !omitDev;
        else if (!omitDev) dev = true;
      }
    state.set(s.name, dev);
  }
  return state;
}

/**
 * The final stage holds production dependencies only: it installs none with dev dependencies itself and copies
 * node_modules (or a whole app folder) only from stages whose dependencies were pruned to production.
 */
export function productionDependencyViolations(all) {
  const state = devDependencyState(all);
  const final = all.at(-1);
  const out = [];
  if (state.get(final.name)) out.push(`final stage ${final.name} installs dev dependencies`);
  const workdirs = new Map();
  for (const s of all)
    workdirs.set(
      s.name,
      ofKeyword(s, 'WORKDIR').map(args).at(-1) ?? (s.from.stage ? workdirs.get(s.from.stage) : '/'),
    );
  for (const copy of ofKeyword(final, 'COPY')) {
    const from = flag(copy, 'from');
    if (!from || !stageByName(all, from) || !state.get(from)) continue;
    const sources = args(copy).trim().split(/\s+/).slice(0, -1);
    for (const src of sources) {
      const norm = src.replace(/\/+$/, '') || '/';
      const root = (workdirs.get(from) ?? '/').replace(/\/+$/, '') || '/';
      if (src.includes('node_modules') || norm === root || norm === '.' || norm === '/')
        out.push(`final stage copies ${src} from ${from}, which holds dev dependencies`);
    }
  }
  return out;
}

/** The default command of the final stage (ENTRYPOINT + CMD, exec or shell form) as one string. */
export function finalCommand(all) {
  const final = all.at(-1);
  return ['ENTRYPOINT', 'CMD']
    .map((kw) => ofKeyword(final, kw).map(args).at(-1) ?? '')
    .join(' ')
    .trim();
}

/** ENV values set in a stage (and inherited through FROM <stage>). */
export function envOf(all, stageName) {
  const s = stageByName(all, stageName);
  const env = s.from.stage ? envOf(all, s.from.stage) : {};
  for (const e of ofKeyword(s, 'ENV')) for (const p of e.getProperties()) env[p.getName()] = p.getValue();
  return env;
}

export function runText(all, stageName) {
  const s = stageByName(all, stageName);
  return ofKeyword(s, 'RUN').map(args).join('\n');
}

/** The image a stage is ultimately based on (following FROM <stage>). */
export function baseImage(all, stageName) {
  const s = stageByName(all, stageName);
  return s.from.stage ? baseImage(all, s.from.stage) : s.from.raw;
}

/** Files or folders under docker/ that COPY takes from the build context (context = repository root). */
export function contextSources(all) {
  return all.flatMap((s) =>
    ofKeyword(s, 'COPY')
      .filter((c) => !flag(c, 'from'))
      .flatMap((c) => args(c).trim().split(/\s+/).slice(0, -1)),
  );
}
