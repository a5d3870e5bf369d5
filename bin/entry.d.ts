// Types of bin/entry.js (plain JavaScript: it runs before anything is compiled).
export type Entry = { kind: 'dist' } | { kind: 'sources'; reason?: string };
export const BUILD_INFO: string;
export const BUILT_ENTRY: string;
export const SOURCE_ENTRY: string;
export function chooseEntry(root: string, env?: NodeJS.ProcessEnv): Entry;
export function staleBuild(root: string): string | null;
