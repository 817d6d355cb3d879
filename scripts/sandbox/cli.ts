// npm run sandbox -- up | down | status | build | clean
import { build, clean, down, status, up } from './sandbox.ts';

const usage = 'usage: npm run sandbox -- up | down | status | build | clean';

async function main(cmd: string | undefined): Promise<number> {
  switch (cmd) {
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

main(process.argv[2]).then((code) => process.exit(code), (err: Error) => {
  process.stderr.write(`sandbox: ${err.message}\n`);
  process.exit(1);
});
