/** The patch kinds the tool sends and their content types (no imports: plan rendering uses it without loading the client). */
export type PatchType = 'merge' | 'json' | 'strategic';
export const PATCH_CONTENT_TYPE: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
};

/**
 * Whether a merge (or strategic merge) patch is already in effect on `current`: every field it sets
 * is so (RFC 7386: null means absent; lists compared whole, so a strategic list merge may read as
 * "not yet", and is sent again, which is safe).
 */
export function mergePatchHolds(current: unknown, patch: unknown): boolean {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return JSON.stringify(current) === JSON.stringify(patch);
  if (current === null || typeof current !== 'object' || Array.isArray(current)) return false;
  const cur = current as Record<string, unknown>;
  return Object.entries(patch as Record<string, unknown>).every(([k, v]) =>
    v === null ? !(k in cur) || cur[k] === null : k in cur && mergePatchHolds(cur[k], v),
  );
}
