// Private filesystems for sandbox pods, so that `kubectl exec` into an etcd pod sees the real pod
// paths (/etc/etcd/tls/..., /var/lib/data, https://localhost:2379) without touching the host's
// /etc or /var/lib, and without network namespaces:
//
// - each pod gets a directory .sandbox/hosted-etcd/<mgmt>/pods/<ns>/<pod>/ with a root/ (its own
//   etc/hosts mapping `localhost` to the pod's loopback address, TLS files, mount points), a
//   `mounts` file (PVC data bound in), env.sh and bin/ (the image's programs: etcd, etcdctl, etcdutl);
// - kwok looks exec'd programs up in its PATH, which starts with a directory of shims (one per
//   program name, all shim.sh); a pod whose kwok Exec object sets HCP_POD_DIR runs the command
//   through enter.sh in a private mount namespace chrooted into root/. Other pods are unaffected.
//   The patched kwok also runs every exec of such a pod through KWOK_EXEC_WRAPPER (pod-exec.sh),
//   so absolute program paths (/usr/bin/etcdctl) resolve inside the pod as well.
// The etcd members themselves run the same way (enter.sh), so they resolve their peers' names
// (etcd-N.etcd-discovery.<ns>.svc) through the pod's /etc/hosts exactly as the real pods do.
import {
  chmodSync,
  copyFileSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** Where the shared scripts and the shim directory live: `<base>/enter.sh`, `<base>/shims/`. */
export function installShims(base: string, extraNames: string[] = ['etcd', 'etcdctl', 'etcdutl']): string {
  mkdirSync(base, { recursive: true });
  for (const f of ['shim.sh', 'enter.sh', 'pod-exec.sh']) {
    const dst = join(base, f);
    const src = join(here, f);
    writeIfChanged(dst, readFileSync(src));
    chmodSync(dst, 0o755);
  }
  const shims = join(base, 'shims');
  mkdirSync(shims, { recursive: true });
  const names = new Set(extraNames);
  for (const d of ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin']) {
    try {
      for (const n of readdirSync(d)) names.add(n);
    } catch {
      /* missing dir */
    }
  }
  const have = new Set(readdirSync(shims));
  for (const n of names) {
    if (have.has(n) || n.includes('/')) continue;
    symlinkSync('../shim.sh', join(shims, n));
  }
  return shims;
}

export interface PodFs {
  /** /etc/hosts lines: [address, ...names]. */
  hosts: [string, ...string[]][];
  /** Files to write under root/, by absolute in-pod path (e.g. /etc/etcd/tls/etcd-ca/ca.crt). */
  files: Record<string, string | Buffer>;
  /** Host directories bound into the pod: [hostDir, inPodPath]. */
  mounts: [string, string][];
  env: Record<string, string>;
  /** Programs shown in the pod's /usr/bin (the image's), e.g. { etcdctl: '/cache/bin/etcdctl' }. */
  programs: Record<string, string>;
}

const shq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Creates or refreshes a pod directory (cheap when nothing changed). */
export function preparePod(podDir: string, fs: PodFs): void {
  const root = join(podDir, 'root');
  for (const d of ['usr', 'etc', 'dev', 'proc', 'tmp', 'var/lib', 'root', 'run']) mkdirSync(join(root, d), { recursive: true });
  mkdirSync(join(podDir, 'tmp'), { recursive: true, mode: 0o1777 });
  for (const d of ['bin', 'lib', 'lib64', 'sbin']) {
    const p = join(root, d);
    if (lexists(p)) continue;
    // Same layout as the host: merged-/usr symlinks, or a mount point for a read-only bind.
    const target = readlinkSafe(`/${d}`);
    if (target) symlinkSync(target, p);
    else if (existsSync(`/${d}`)) mkdirSync(p);
  }
  for (const n of ['null', 'zero', 'random', 'urandom', 'tty']) {
    const p = join(root, 'dev', n);
    if (!existsSync(p)) writeFileSync(p, '');
  }
  const files: Record<string, string | Buffer> = {
    '/etc/hosts': fs.hosts.map((h) => h.join(' ')).join('\n') + '\n',
    '/etc/nsswitch.conf': 'passwd: files\ngroup: files\nhosts: files\n',
    '/etc/passwd': 'root:x:0:0:root:/root:/bin/sh\n',
    '/etc/group': 'root:x:0:\n',
    '/etc/resolv.conf': '',
    ...fs.files,
  };
  for (const [p, content] of Object.entries(files)) writeIfChanged(join(root, p), content);
  writeIfChanged(join(podDir, 'mounts'), fs.mounts.map(([s, d]) => `${s} ${d}`).join('\n') + '\n');
  const env = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOME: '/root', ...fs.env };
  writeIfChanged(
    join(podDir, 'env.sh'),
    Object.entries(env)
      .map(([k, v]) => `export ${k}=${shq(v)}\n`)
      .join(''),
  );
  const bin = join(podDir, 'bin');
  mkdirSync(bin, { recursive: true });
  for (const [name, src] of Object.entries(fs.programs)) {
    const dst = join(bin, name);
    // Hard links cost nothing; fall back to a copy across file systems.
    if (existsSync(dst)) continue;
    try {
      linkSync(src, dst);
    } catch {
      copyFileSync(src, dst);
    }
  }
}

function readlinkSafe(p: string): string | undefined {
  try {
    return readlinkSync(p);
  } catch {
    return undefined;
  }
}

function lexists(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

function writeIfChanged(file: string, content: string | Buffer): void {
  mkdirSync(dirname(file), { recursive: true });
  try {
    if (readFileSync(file).equals(Buffer.from(content))) return;
  } catch {
    /* new */
  }
  writeFileSync(file, content);
}

/**
 * The kwok Exec object that routes `kubectl exec` into this pod through enter.sh: the patched kwok
 * runs every command through KWOK_EXEC_WRAPPER (pod-exec.sh, next to enter.sh under base), so
 * absolute program paths resolve in the pod too; an unpatched kwok still finds bare names
 * through the shims (HCP_POD_DIR).
 */
export function podExecObject(namespace: string, pod: string, podDir: string, workDir: string, base: string): object {
  return {
    apiVersion: 'kwok.x-k8s.io/v1alpha1',
    kind: 'Exec',
    metadata: { name: pod, namespace, labels: { 'hcp-sandbox/pod-fs': 'true' } },
    spec: {
      execs: [
        {
          local: {
            workDir,
            envs: [
              { name: 'HCP_POD_DIR', value: podDir },
              { name: 'KWOK_EXEC_WRAPPER', value: join(base, 'pod-exec.sh') },
            ],
          },
        },
      ],
    },
  };
}
