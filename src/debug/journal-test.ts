/**
 * A plan built to exercise --resume end to end (issue 12): N steps, each leaving a trace in a
 * local directory and the first recording an artifact that the last one needs. The hidden
 * command `kubectl hcp debug journal-test` runs it; tests SIGKILL it after step K and resume it,
 * for every K, and check that every step ran exactly once and the artifact survived the kill.
 */
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newPlan, type Plan, type Step } from '../plan/plan.ts';

export interface JournalTestInputs {
  name: string;
  steps: number;
  /** Where the steps leave their traces: `ran` (one line per step run) and `result.json`. */
  dir: string;
  /** Kill this process with SIGKILL once step K has finished and been journaled (before step K+1 does anything). */
  killAfterStep?: number;
  /** Step that waits (on the run's clock) until interrupted, for Ctrl-C tests. */
  hangAtStep?: number;
  /** Kills the process; injectable so the planner stays testable in-process. */
  kill?: () => void;
}

export function planJournalTest(i: JournalTestInputs): Plan {
  const plan = newPlan('debug-journal-test', `journal-test/${i.name}`, { journal: true });
  const kill = i.kill ?? (() => process.kill(process.pid, 'SIGKILL'));
  for (let n = 1; n <= i.steps; n++) {
    const step: Step = {
      id: `step-${n}`,
      title: `Step ${n} of ${i.steps}`,
      details: [
        `appends "step-${n}" to ${join(i.dir, 'ran')}${n === 1 ? '; records artifact seedSha256' : ''}${n === i.steps ? `; writes ${join(i.dir, 'result.json')}` : ''}`,
      ],
      run: async (ctx) => {
        if (i.killAfterStep === n - 1) kill();
        if (i.hangAtStep === n) for (;;) await ctx.clock.sleep(3_600_000); // setTimeout caps at 2^31-1 ms
        appendFileSync(join(i.dir, 'ran'), `step-${n}\n`);
        const artifacts: Record<string, unknown> = {};
        if (n === 1) artifacts.seedSha256 = createHash('sha256').update(randomBytes(16)).digest('hex');
        if (n === i.steps) {
          const seed = n === 1 ? artifacts.seedSha256 : ctx.artifacts.seedSha256;
          if (typeof seed !== 'string') throw new Error('the artifact of step 1 (seedSha256) is missing');
          writeFileSync(join(i.dir, 'result.json'), JSON.stringify({ seedSha256: seed }) + '\n');
        }
        return artifacts;
      },
    };
    plan.steps.push(step);
  }
  return plan;
}
