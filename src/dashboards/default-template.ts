import template from './default-template.json' with { type: 'json' };

/** Upstream's default dashboard template (FACTS: assets/monitoring-dashboard-template.json, Apache-2.0). */
export function defaultTemplate(): string {
  return `${JSON.stringify(template, null, 4)}\n`;
}
