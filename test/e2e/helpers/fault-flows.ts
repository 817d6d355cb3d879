// The fault-injection flows (issue 11) shared by test/e2e/faults*.test.ts: run a command cleanly
// or through a fresh fault proxy per attempt, go on as its failure message says, and compare the
// writes the API server applied (its audit log) between a clean and a faulted run of one flow.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { appliedTwice } from './applied-twice.ts';
import { type AuditEvent, appliedWrites, auditEvents, auditMark, describeEvents, MUTATING_VERBS } from './audit.ts';
import { type FaultOptions, type FaultProxy, proxyKubeconfig, startFaultProxy } from './fault-proxy.ts';
import { hcp } from './hcp.ts';
import { type Cluster, kubectlOk, sandbox, waitFor } from './sandbox.ts';

/** The mix: 10% 500/503/429 (a third of 503/429 with Retry-After), 5% responses cut mid-body, 50-200 ms of jitter. */
export const FAULTS: FaultOptions = { transientRate: 0.1, resetRate: 0.05, jitterMs: [50, 200] };

export interface FlowRun {
  attempts: { code: number; stderr: string }[];
  writes: Map<string, number>;
  events: AuditEvent[];
  proxy?: FaultProxy;
  /** Through the proxy: the writes of this flow applied twice (test/e2e/helpers/applied-twice.ts), one line each. */
  twice: string[];
}

/** Flows on one hosted cluster (names in ns and cpns are left out of the write keys). */
export function faultFlows(ns: () => string, cpns: () => string) {
  const work = mkdtempSync(join(tmpdir(), 'hcp-e2e-faults-'));
  const summary: string[] = [];
  const counters = { execDropped: 0 };
  /** The writes the API server applied for requests tagged `tag`, keyed without the test's own names; leases left out (their renewals depend on timing). */
  const writesSince = async (mark: Awaited<ReturnType<typeof auditMark>>, tag: string) => {
    const events = await auditEvents(mark, { userAgent: tag, verbs: MUTATING_VERBS });
    const writes = new Map<string, number>();
    // create, update and patch count alike: the clean run may create what the undo left behind for the faulted run to patch.
    for (const [k, v] of appliedWrites(events)) {
      if (/ leases /.test(k)) continue;
      const key = k
        .replace(/ (create|update|patch) /, ' write ')
        .replaceAll(cpns(), 'CPNS')
        .replaceAll(ns(), 'NS');
      writes.set(key, (writes.get(key) ?? 0) + v);
    }
    return { writes, events };
  };

  /**
   * Runs `args` until it exits 0 (at most 4 times): cleanly, or through a fresh fault proxy per
   * attempt (seeds seed, seed+1, …). A failed attempt must exit 1 and say the state and what to do.
   */
  const runFlow = async (
    args: string[],
    opts: { faults?: FaultOptions & { seed: number }; clusters?: Cluster[]; env?: Record<string, string> } = {},
  ): Promise<FlowRun> => {
    const tag = `faults-${randomBytes(4).toString('hex')}`;
    // One proxy per cluster (dr migrate talks to two); the kubeconfig names each context after its cluster.
    const clusters = opts.clusters ?? ['mgmt-1'];
    const mark = await auditMark(clusters);
    const attempts: FlowRun['attempts'] = [];
    let proxies: FaultProxy[] = [];
    const bodies = new Map<string, string>();
    const retire = async () => {
      for (const p of proxies) {
        counters.execDropped += p.faults.execDropped;
        for (const [id, b] of p.bodies) bodies.set(id, b);
        await p.close();
      }
    };
    for (let i = 0; i < 4; i++) {
      let kubeconfigArgs: string[] = [];
      if (opts.faults) {
        const faults = opts.faults;
        await retire();
        // The same address for every attempt: a resumed run finds its journal, which is keyed by the server URL.
        const ports = proxies.map((p) => Number(new URL(p.url).port));
        // One dropped exec stream in all: only the first attempt's proxy (of the first cluster) drops one.
        proxies = await Promise.all(
          clusters.map((c, k) =>
            startFaultProxy(sandbox().kubeconfig, c, {
              ...faults,
              seed: faults.seed + i + 1000 * k,
              dropExecStream: i === 0 && k === 0 ? faults.dropExecStream : undefined,
              port: ports[k],
            }),
          ),
        );
        const kc = join(work, `proxy-${tag}-${i}.kubeconfig`);
        writeFileSync(kc, proxyKubeconfig(Object.fromEntries(clusters.map((c, k) => [c, proxies[k].url]))), { mode: 0o600 });
        kubeconfigArgs = ['--kubeconfig', kc];
      }
      // Go on as the last failure said: with --resume when its hint names it, else by running again.
      const resume = i > 0 && /^hint: .*--resume/m.test(attempts[i - 1].stderr) ? ['--resume'] : [];
      const r = await hcp([...args, ...resume, ...kubeconfigArgs], { env: { ...opts.env, HCP_TEST_USER_AGENT_SUFFIX: tag } });
      attempts.push({ code: r.code, stderr: r.stderr });
      if (r.code === 0) break;
      // A failure is exit 1 with the error, the state it left and what to do next.
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr, 'the error says what state it left').toMatch(/^error: .+/m);
      expect(r.stderr, 'and how to go on').toMatch(/^(state|hint): .+/m);
      expect(r.stderr).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/); // no stack trace
    }
    await retire();
    const proxy = proxies[0];
    expect(attempts.at(-1)!.code, attempts.map((a) => a.stderr).join('\n---\n')).toBe(0);
    const { writes, events } = await writesSince(mark, tag);
    // Per request: every user's writes since the mark, so that a write by someone else between two of ours is seen.
    let twice: string[] = [];
    if (opts.faults) {
      const all = await auditEvents(mark, { userAgent: /(?:)/, verbs: MUTATING_VERBS });
      const ours = all.filter((e) => (e.userAgent ?? '').includes(tag) && /^kubectl-hcp\//.test(e.userAgent ?? ''));
      expect(ours.length, 'the flow wrote through the proxy').toBeGreaterThan(0);
      expect(
        ours.filter((e) => !bodies.has(e.auditID) && !['exec', 'attach', 'portforward'].includes(e.objectRef?.subresource ?? '')).map((e) => e.requestURI),
        'every write of the flow went through the proxy, which gave it its Audit-ID',
      ).toEqual([]);
      twice = appliedTwice(all, bodies, (e) => ours.includes(e));
      expect(twice, `no write applied twice:\n${describeEvents(ours)}`).toEqual([]);
    }
    if (opts.faults && proxy)
      summary.push(
        `${args.slice(0, 2).join(' ')}: ${attempts.length} attempt(s), ${proxies.map((p) => p.requests).join('+')} requests in the last, faults ${proxies.map((p) => JSON.stringify(p.faults)).join(' + ')}`,
      );
    return { attempts, writes, events, proxy, twice };
  };

  /** The clean run, then the faulted one from the same state (undo() restores it in between); their applied writes must be equal. */
  const compare = async (args: string[], undo: () => Promise<unknown>, seed: number) => {
    const clean = await runFlow(args);
    await undo();
    const faulted = await runFlow(args, { faults: { ...FAULTS, seed } });
    expect(Object.fromEntries(faulted.writes), `no write applied twice (or left out):\n${describeEvents(faulted.events)}`).toEqual(
      Object.fromEntries(clean.writes),
    );
    return { clean, faulted };
  };

  return { runFlow, compare, summary, counters };
}

/**
 * Waits until every Deployment of the control-plane namespace has rolled out (the simulated operator
 * renders them after the HostedCluster appears): a snapshot that pauses the cluster mid-rollout finds
 * its writers brought back and waits for them in vain.
 */
export async function waitForControlPlane(cpns: string, timeoutMs = 180_000): Promise<void> {
  await waitFor(
    async () => {
      const out = await kubectlOk('mgmt-1', [
        'get',
        'deployments',
        '-n',
        cpns,
        '-o',
        'jsonpath={range .items[*]}{.metadata.name}={.spec.replicas}/{.status.updatedReplicas}/{.status.readyReplicas}/{.metadata.generation}/{.status.observedGeneration} {end}',
      ]);
      const rows = out.trim().split(/\s+/).filter(Boolean);
      return (
        rows.length >= 4 &&
        rows.every((r) => {
          const [want, updated, ready, gen, seen] = r.split('=')[1].split('/');
          return want === updated && want === ready && gen === seen;
        })
      );
    },
    timeoutMs,
    `the Deployments of ${cpns} to roll out`,
  );
  await new Promise((r) => setTimeout(r, 3000));
}
