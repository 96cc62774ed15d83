/** Types of scripts/import-rules.mjs (the workspace's import rules), for its tests. */
export interface ImportRules {
  readonly LAYERS: Readonly<Record<string, readonly string[]>>;
  readonly TEMPORARY_EXCEPTIONS: readonly { readonly from: string; readonly to: string; readonly file?: string }[];
  readonly CORE: readonly string[];
  readonly NPM: Readonly<Record<string, readonly string[]>>;
}
export const LAYERS: ImportRules['LAYERS'];
export const TEMPORARY_EXCEPTIONS: ImportRules['TEMPORARY_EXCEPTIONS'];
export const CORE: ImportRules['CORE'];
export const NPM: ImportRules['NPM'];
export function checkImportRules(
  packagesDir: string,
  rules?: ImportRules,
): { violations: string[]; warnings: string[]; files: number; imports: number; packages: string[] };
