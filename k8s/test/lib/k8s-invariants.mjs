// Invariants of the rendered manifests. Each check returns a list of violations (empty = holds), so tests can
// assert both that the real manifests pass and that a broken copy is caught.

const WORKLOAD_KINDS = new Set([
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'Job',
  'CronJob',
  'ReplicaSet',
  'Pod',
]);

export const find = (objects, kind, name) =>
  objects.find((o) => o.kind === kind && o.metadata?.name === name);
export const ofKind = (objects, kind) => objects.filter((o) => o.kind === kind);

/** Pod specs of every workload: { owner: 'Kind/name', labels, spec }. */
export function podTemplates(objects) {
  return objects
    .filter((o) => WORKLOAD_KINDS.has(o.kind))
    .map((o) => {
      const template =
        o.kind === 'Pod' ? o : o.kind === 'CronJob' ? o.spec?.jobTemplate?.spec?.template : o.spec?.template;
      return {
        owner: `${o.kind}/${o.metadata.name}`,
        labels: template?.metadata?.labels ?? {},
        spec: template?.spec ?? {},
      };
    });
}

/** Every container of every workload, init containers included: { owner, kind: 'container'|'initContainer', c, pod }. */
export function allContainers(objects) {
  return podTemplates(objects).flatMap(({ owner, spec }) => [
    ...(spec.initContainers ?? []).map((c) => ({ owner, kind: 'initContainer', c, pod: spec })),
    ...(spec.containers ?? []).map((c) => ({ owner, kind: 'container', c, pod: spec })),
  ]);
}

/** Non-root, no privilege escalation, no capabilities, read-only root filesystem, requests and limits. */
export function containerHardeningViolations(objects) {
  const out = [];
  const containers = allContainers(objects);
  if (containers.length === 0) out.push('no containers rendered');
  for (const { owner, kind, c, pod } of containers) {
    const at = `${owner} ${kind} ${c.name}`;
    const sc = c.securityContext ?? {};
    const psc = pod.securityContext ?? {};
    const nonRoot = sc.runAsNonRoot ?? psc.runAsNonRoot;
    const uid = sc.runAsUser ?? psc.runAsUser;
    if (nonRoot !== true) out.push(`${at}: runAsNonRoot is not true`);
    if (uid === 0) out.push(`${at}: runAsUser is 0`);
    if (sc.allowPrivilegeEscalation !== false) out.push(`${at}: allowPrivilegeEscalation is not false`);
    if (sc.privileged === true) out.push(`${at}: privileged`);
    if (!(sc.capabilities?.drop ?? []).includes('ALL')) out.push(`${at}: capabilities.drop lacks ALL`);
    if ((sc.capabilities?.add ?? []).length > 0) out.push(`${at}: adds capabilities ${sc.capabilities.add}`);
    if (sc.readOnlyRootFilesystem !== true) out.push(`${at}: readOnlyRootFilesystem is not true`);
    const seccomp = sc.seccompProfile?.type ?? psc.seccompProfile?.type;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') out.push(`${at}: no seccompProfile`);
    for (const bound of ['requests', 'limits'])
      for (const res of ['cpu', 'memory'])
        if (c.resources?.[bound]?.[res] === undefined) out.push(`${at}: resources.${bound}.${res} missing`);
    if (/:latest$/.test(c.image ?? '') || !/:[^/]+$|@sha256:/.test(c.image ?? ''))
      out.push(`${at}: image ${c.image} is not pinned to a tag`);
  }
  return out;
}

const envOf = (c, name) => (c.env ?? []).find((e) => e.name === name);

/** API: 2+ replicas, readiness and liveness on /api/health, REDIS_URL and DATABASE_URL from a Secret, no migration. */
export function apiViolations(objects) {
  const out = [];
  const api = find(objects, 'Deployment', 'api');
  if (!api) return ['Deployment/api missing'];
  if (!(api.spec.replicas >= 2)) out.push(`api replicas ${api.spec.replicas} < 2`);
  const c = (api.spec.template.spec.containers ?? []).find((x) => x.name === 'api');
  if (!c) return [...out, 'api container missing'];
  const port = (c.ports ?? []).find((p) => p.containerPort === 4000);
  if (!port) out.push('api container does not expose 4000');
  for (const probe of ['readinessProbe', 'livenessProbe']) {
    const g = c[probe]?.httpGet;
    if (g?.path !== '/api/health') out.push(`api ${probe} is not GET /api/health`);
    else if (g.port !== 4000 && g.port !== port?.name)
      out.push(`api ${probe} port ${g.port} is not the API port`);
  }
  for (const name of ['REDIS_URL', 'DATABASE_URL'])
    if (!envOf(c, name)?.valueFrom?.secretKeyRef) out.push(`api env ${name} is not from a secretKeyRef`);
  const cmd = [...(c.command ?? []), ...(c.args ?? [])].join(' ');
  if (/migrat/i.test(cmd)) out.push(`api command runs migrations: ${cmd}`);
  if (
    (api.spec.template.spec.initContainers ?? []).some((i) =>
      /migrat/i.test([...(i.command ?? []), ...(i.args ?? [])].join(' ')),
    )
  )
    out.push('api runs migrations in an init container');
  return out;
}

/** Ingress: /api and /socket.io -> api, / -> web, cookie affinity for socket.io long-polling. */
export function ingressViolations(objects) {
  const ing = ofKind(objects, 'Ingress');
  if (ing.length !== 1) return [`expected 1 Ingress, found ${ing.length}`];
  const [i] = ing;
  const out = [];
  const a = i.metadata.annotations ?? {};
  if (a['nginx.ingress.kubernetes.io/affinity'] !== 'cookie')
    out.push('Ingress lacks nginx affinity: cookie');
  if (!a['nginx.ingress.kubernetes.io/session-cookie-name']) out.push('Ingress lacks a session cookie name');
  const routes = new Map();
  for (const rule of i.spec.rules ?? [])
    for (const p of rule.http?.paths ?? [])
      routes.set(
        p.path,
        `${p.backend?.service?.name}:${p.backend?.service?.port?.name ?? p.backend?.service?.port?.number}`,
      );
  const want = { '/api': 'api', '/socket.io': 'api', '/': 'web' };
  for (const [path, svc] of Object.entries(want)) {
    const got = routes.get(path);
    if (!got?.startsWith(`${svc}:`)) out.push(`Ingress ${path} -> ${got} instead of ${svc}`);
    else if (!find(objects, 'Service', svc)) out.push(`Ingress backend Service ${svc} missing`);
  }
  for (const path of routes.keys()) if (!(path in want)) out.push(`Ingress has an unexpected path ${path}`);
  return out;
}

/** The KEDA ScaledObject: targets the runner Deployment, 0 -> N on the BullMQ pretrain wait list. */
export function scaledObjectViolations(objects, { auth }) {
  const so = ofKind(objects, 'ScaledObject');
  if (so.length !== 1) return [`expected 1 ScaledObject, found ${so.length}`];
  const { spec } = so[0];
  const out = [];
  const target = spec.scaleTargetRef ?? {};
  if (
    (target.kind ?? 'Deployment') !== 'Deployment' ||
    !find(objects, 'Deployment', target.name) ||
    target.name !== 'runner'
  )
    out.push(`ScaledObject targets ${target.kind ?? 'Deployment'}/${target.name}, not the runner Deployment`);
  if (spec.minReplicaCount !== 0)
    out.push(`minReplicaCount ${spec.minReplicaCount} (runners must scale to zero)`);
  const runner = find(objects, 'Deployment', 'runner');
  if (runner?.spec.replicas !== undefined)
    out.push(
      `the runner Deployment fixes replicas: ${runner.spec.replicas} (KEDA owns it; apply would reset it)`,
    );
  if (!(spec.maxReplicaCount >= 1)) out.push(`maxReplicaCount ${spec.maxReplicaCount}`);
  const triggers = spec.triggers ?? [];
  const wait = triggers.find((t) => t.type === 'redis' && t.metadata?.listName === 'bull:pretrain:wait');
  if (!wait) out.push('no redis trigger on the list bull:pretrain:wait');
  for (const t of triggers) {
    if (t.type !== 'redis') out.push(`trigger ${t.name}: type ${t.type}`);
    if (!/^bull:(pretrain|evaluate):(wait|active)$/.test(t.metadata?.listName ?? ''))
      out.push(`trigger ${t.name}: list ${t.metadata?.listName}`);
    if (!/^[1-9]\d*$/.test(t.metadata?.listLength ?? ''))
      out.push(`trigger ${t.name}: listLength ${t.metadata?.listLength}`);
    if (auth === 'in-cluster') {
      const [host, port] = (t.metadata?.address ?? '').split(':');
      const svc = find(objects, 'Service', host);
      if (!svc || !(svc.spec.ports ?? []).some((p) => String(p.port) === port))
        out.push(`trigger ${t.name}: address ${t.metadata?.address} is not an in-cluster Redis Service`);
    } else {
      const ta = find(objects, 'TriggerAuthentication', t.authenticationRef?.name);
      if (!ta)
        out.push(
          `trigger ${t.name}: authenticationRef ${t.authenticationRef?.name} does not name a TriggerAuthentication`,
        );
      else if (
        !(ta.spec.secretTargetRef ?? []).some((r) => r.parameter === 'address' || r.parameter === 'host')
      )
        out.push(`TriggerAuthentication ${ta.metadata.name} gives no Redis address`);
      if (t.metadata?.address)
        out.push(`trigger ${t.name}: hard-coded address ${t.metadata.address} with external Redis`);
    }
  }
  return out;
}

/** Runner Deployment of the GPU overlay: one GPU per pod on GPU nodes, GPU image/backend, long grace period. */
export function gpuRunnerViolations(objects) {
  const r = find(objects, 'Deployment', 'runner');
  if (!r) return ['Deployment/runner missing'];
  const pod = r.spec.template.spec;
  const out = [];
  const c = (pod.containers ?? []).find((x) => x.name === 'runner');
  if (!c) return ['runner container missing'];
  for (const bound of ['limits', 'requests'])
    if (String(c.resources?.[bound]?.['nvidia.com/gpu']) !== '1')
      out.push(`runner resources.${bound} nvidia.com/gpu is not 1`);
  const onGpuNodes =
    Object.keys(pod.nodeSelector ?? {}).some((k) => k.startsWith('nvidia.com/')) ||
    JSON.stringify(pod.affinity?.nodeAffinity ?? {}).includes('nvidia.com/');
  if (!onGpuNodes) out.push('runner has no node selector/affinity for NVIDIA nodes');
  if (!(pod.tolerations ?? []).some((t) => t.key === 'nvidia.com/gpu'))
    out.push('runner does not tolerate the nvidia.com/gpu taint');
  if (!(pod.terminationGracePeriodSeconds >= 300))
    out.push(`runner terminationGracePeriodSeconds ${pod.terminationGracePeriodSeconds} < 300`);
  if (!/\/runner-gpu:/.test(c.image ?? '')) out.push(`runner image ${c.image} is not runner-gpu`);
  if (envOf(c, 'RUNNER_BACKEND')?.value !== 'tensorflow-gpu')
    out.push('runner RUNNER_BACKEND is not tensorflow-gpu');
  return out;
}

/** Runner Deployment of the local overlay: CPU image and backend, no GPU. */
export function cpuRunnerViolations(objects) {
  const r = find(objects, 'Deployment', 'runner');
  if (!r) return ['Deployment/runner missing'];
  const c = (r.spec.template.spec.containers ?? []).find((x) => x.name === 'runner');
  const out = [];
  if (!/runner-cpu:/.test(c?.image ?? '')) out.push(`runner image ${c?.image} is not runner-cpu`);
  if (envOf(c ?? {}, 'RUNNER_BACKEND')?.value !== 'tensorflow')
    out.push('runner RUNNER_BACKEND is not tensorflow');
  if (JSON.stringify(c?.resources ?? {}).includes('nvidia.com/gpu')) out.push('CPU runner requests a GPU');
  if (!(r.spec.template.spec.terminationGracePeriodSeconds >= 300))
    out.push('runner terminationGracePeriodSeconds < 300');
  return out;
}

/** Every Secret/ConfigMap a workload reads: [{ owner, kind: 'Secret'|'ConfigMap', name, key? }]. */
export function configReferences(objects) {
  const refs = [];
  for (const { owner, spec } of podTemplates(objects)) {
    for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
      for (const e of c.env ?? []) {
        if (e.valueFrom?.secretKeyRef)
          refs.push({
            owner,
            kind: 'Secret',
            name: e.valueFrom.secretKeyRef.name,
            key: e.valueFrom.secretKeyRef.key,
            env: e.name,
          });
        if (e.valueFrom?.configMapKeyRef)
          refs.push({
            owner,
            kind: 'ConfigMap',
            name: e.valueFrom.configMapKeyRef.name,
            key: e.valueFrom.configMapKeyRef.key,
            env: e.name,
          });
      }
      for (const e of c.envFrom ?? []) {
        if (e.secretRef) refs.push({ owner, kind: 'Secret', name: e.secretRef.name });
        if (e.configMapRef) refs.push({ owner, kind: 'ConfigMap', name: e.configMapRef.name });
      }
    }
    for (const v of spec.volumes ?? []) {
      if (v.secret) refs.push({ owner, kind: 'Secret', name: v.secret.secretName });
      if (v.configMap) refs.push({ owner, kind: 'ConfigMap', name: v.configMap.name });
    }
  }
  for (const ta of ofKind(objects, 'TriggerAuthentication'))
    for (const r of ta.spec.secretTargetRef ?? [])
      refs.push({
        owner: `TriggerAuthentication/${ta.metadata.name}`,
        kind: 'Secret',
        name: r.name,
        key: r.key,
      });
  return refs;
}

/** References that the rendered output does not satisfy (missing object or key), except names in `external`. */
export function danglingReferences(objects, external = new Set()) {
  const out = [];
  for (const ref of configReferences(objects)) {
    if (external.has(ref.name)) continue;
    const obj = find(objects, ref.kind, ref.name);
    if (!obj) out.push(`${ref.owner}: ${ref.kind} ${ref.name} does not exist`);
    else if (ref.key && !(ref.key in (obj.data ?? {})) && !(ref.key in (obj.stringData ?? {})))
      out.push(`${ref.owner}: ${ref.kind} ${ref.name} has no key ${ref.key}`);
  }
  return out;
}

/** PersistentVolumeClaims a workload mounts (volumeClaimTemplates included): Set of 'owner|claim|mountPath'. */
export function claimMounts(objects) {
  const mounts = new Set();
  for (const o of objects.filter((x) => WORKLOAD_KINDS.has(x.kind))) {
    const spec = o.spec?.template?.spec ?? {};
    const claims = new Map(
      (spec.volumes ?? [])
        .filter((v) => v.persistentVolumeClaim)
        .map((v) => [v.name, v.persistentVolumeClaim.claimName]),
    );
    for (const t of o.spec?.volumeClaimTemplates ?? [])
      claims.set(t.metadata.name, `template:${t.metadata.name}`);
    for (const c of spec.containers ?? [])
      for (const m of c.volumeMounts ?? [])
        if (claims.has(m.name))
          mounts.add(`${o.kind}/${o.metadata.name}|${claims.get(m.name)}|${m.mountPath}`);
  }
  return mounts;
}
