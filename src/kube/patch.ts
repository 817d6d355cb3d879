/** The patch kinds the tool sends and their content types (no imports: plan rendering uses it without loading the client). */
export type PatchType = 'merge' | 'json' | 'strategic';
export const PATCH_CONTENT_TYPE: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
};
