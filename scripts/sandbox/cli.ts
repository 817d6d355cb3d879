// npm run sandbox -- up | down | status | build | clean | break etcd-member <ns>/<name> <n> [--cluster mgmt-N] | pods <ns> <count> [--log-bytes N]
import { port, type PortName } from './config.ts';
import { podsCommand } from './pods.ts';
import { build, clean, down, status, up } from './sandbox.ts';

const usage =
  'usage: npm run sandbox -- up | down | status | build | clean | break etcd-member <hc-namespace>/<hc-name> <member> [--cluster mgmt-1|mgmt-2] | pods <namespace> <count> [--log-bytes N] [--prefix NAME] [--cluster mgmt-1|mgmt-2|guest]';

/** Failure injection through the simulated operator of a management cluster (it owns the members). */
async function breakCommand(args: string[]): Promise<number> {
  const ci = args.indexOf('--cluster');
  const cluster = ci >= 0 ? args.splice(ci, 2)[1] : 'mgmt-1';
  const [what, hc, member] = args;
  if (what !== 'etcd-member' || !hc?.includes('/') || !/^\d+$/.test(member ?? '') || !/^mgmt-[12]$/.test(cluster ?? '')) {
    process.stderr.write(`${usage}\n`);
    return 2;
  }
  const url = `http://127.0.0.1:${port(`${cluster}-operator` as PortName)}/break/etcd-member?cluster=${encodeURIComponent(hc)}&member=${member}`;
  const res = await fetch(url, { method: 'POST' });
  const text = await res.text();
  (res.ok ? process.stdout : process.stderr).write(text);
  return res.ok ? 0 : 1;
}

async function main(cmd: string | undefined): Promise<number> {
  switch (cmd) {
    case 'break':
      return breakCommand(process.argv.slice(3));
    case 'pods':
      return podsCommand(process.argv.slice(3));
    case 'up': {
      const info = await up();
      process.stdout.write(`export KUBECONFIG=${info.kubeconfig}\n`);
      return 0;
    }
    case 'down':
      await down();
      return 0;
    case 'clean':
      await clean();
      return 0;
    case 'build':
      process.stdout.write(`${await build()}\n`);
      return 0;
    case 'status': {
      const procs = await status();
      if (!procs.length) {
        process.stdout.write('sandbox is not running\n');
        return 1;
      }
      for (const p of procs) {
        const state = p.healthy ? 'healthy' : p.alive ? 'UNHEALTHY' : 'STOPPED';
        process.stdout.write(`${p.name.padEnd(32)} ${state.padEnd(10)} pid ${String(p.pid).padEnd(8)} ${p.endpoint}\n`);
      }
      return procs.every((p) => p.healthy) ? 0 : 1;
    }
    default:
      process.stderr.write(`${usage}\n`);
      return 2;
  }
}

main(process.argv[2]).then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`sandbox: ${err.message}\n`);
    process.exit(1);
  },
);
