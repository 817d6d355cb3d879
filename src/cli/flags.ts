/**
 * Options that several commands share, declared once: -o, --wait/--wait-timeout, --resume,
 * --concurrency, the HostedCluster argument, and the S3 flags.
 */
import { Option } from 'clipanion';
import * as t from 'typanion';
import { OUTPUT_FORMATS, type OutputFormat } from '../output/output.ts';
import { DRY_RUN_MODES, type DryRunMode } from '../plan/plan.ts';
import { parseGoDuration } from '../util/duration.ts';
import { UsageError } from '../util/errors.ts';

export const outputOption = () =>
  Option.String('-o,--output', 'table', {
    description: 'Output format: table, json or yaml',
    validator: t.isEnum(OUTPUT_FORMATS as OutputFormat[]),
  });

export function parseDryRun(value: string | boolean | undefined): DryRunMode {
  if (value === undefined || value === false) return 'none';
  if (value === true) return 'client'; // kubectl's bare --dry-run
  if ((DRY_RUN_MODES as readonly string[]).includes(value)) return value as DryRunMode;
  throw new UsageError(`--dry-run=${value} is not valid: use none, client or server`);
}

/** `NAME`: the HostedCluster a command acts on (looked up in -n, default `clusters`). */
export const hostedClusterArg = () => Option.String({ name: 'NAME' });

/**
 * The --wait/--wait-timeout pair. The rule, the same everywhere: --wait-timeout is read only
 * with --wait (see waitTimeoutMs). Commands that always wait take only `alwaysWaitTimeoutOption`
 * and say so in its description.
 */
export const waitOption = (what: string) => Option.Boolean('--wait', false, { description: what });
export const waitTimeoutOption = (defaultTimeout: string) =>
  Option.String('--wait-timeout', defaultTimeout, { description: 'How long --wait waits (Go duration)' });
export const alwaysWaitTimeoutOption = (defaultTimeout: string, what: string) =>
  Option.String('--wait-timeout', defaultTimeout, { description: `How long to wait for ${what} (this command always waits)` });

/** The one --wait rule: the timeout in ms with --wait, undefined without it (the timeout is then not parsed). */
export function waitTimeoutMs(wait: boolean, timeout: string): number | undefined {
  return wait ? parseGoDuration(timeout, '--wait-timeout') : undefined;
}

/** Adds --resume to commands whose plans are journaled. */
export const resumeOption = () => Option.Boolean('--resume', false, { description: 'Continue an interrupted run from its journal' });

export const DEFAULT_CONCURRENCY = 10;

/** --concurrency N for fleet commands: how many clusters are worked on at once. */
export const concurrencyOption = () =>
  Option.String('--concurrency', String(DEFAULT_CONCURRENCY), {
    description: `How many clusters to work on at once with --all or -l (default ${DEFAULT_CONCURRENCY})`,
    validator: t.cascade(t.isNumber(), [t.isInteger(), t.isInInclusiveRange(1, 1000)]),
  });

/** The S3 flags of commands that read or write an object store (etcd snapshots, DR backups); see src/aws/s3.ts. */
export const profileOption = () => Option.String('--profile', { description: 'AWS profile for S3 (default: AWS_PROFILE, then the default credential chain)' });
export const regionOption = () => Option.String('--region', { description: 'AWS region for S3 (default: AWS_REGION, then the profile)' });
export const s3EndpointOption = () => Option.String('--s3-endpoint', { description: 'S3 endpoint URL (default: AWS_ENDPOINT_URL_S3), e.g. a MinIO server' });
export const s3PathStyleOption = () =>
  Option.Boolean('--s3-path-style', false, { description: 'Address buckets as https://host/bucket, as most S3-compatible stores need' });

/** Whether a flag was given: booleans when true, arrays when not empty, strings when present. */
export const isGiven = (value: unknown): boolean => value !== undefined && value !== false && !(Array.isArray(value) && value.length === 0);

/**
 * A rule between flags for a command's `static schema`, checked by clipanion before the command
 * runs; `test` returns the message (naming the flags) when the rule is broken.
 */
export function flagRule(test: (command: Record<string, unknown>) => string | undefined) {
  return t.makeValidator<Record<string, unknown>>({
    test: (value, state) => {
      const message = test(value);
      if (message === undefined) return true;
      state?.errors?.push(`${state.p ?? '.'}: ${message}`);
      return false;
    },
  });
}

/** At most one (or, `required`, exactly one) of these flags; `flags` maps the property to how the user writes it. */
export function exclusiveFlags(flags: Record<string, string>, opts: { required?: boolean } = {}) {
  return flagRule((command) => {
    const given = Object.keys(flags).filter((key) => isGiven(command[key]));
    const names = Object.values(flags);
    const list = `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
    if (given.length > 1) return opts.required ? `give exactly one of ${list}` : `give only one of ${list}, not both`;
    if (opts.required && given.length === 0) return `give exactly one of ${list}`;
    return undefined;
  });
}
