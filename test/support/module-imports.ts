import { parse } from 'acorn';

/** How a module names another: `import … from`, `import()`, or a `require` call. */
export type ImportKind = 'static' | 'dynamic' | 'require';

export interface ModuleImport {
  kind: ImportKind;
  specifier: string;
}

/**
 * Every module a built script imports, read from its syntax tree rather than matched as text (bundled
 * packages spell `require("…")` inside strings of code they generate): import and export declarations,
 * `import()`, and calls of `require` however the bundle renamed it (`require4('x')`) or made it
 * (`createRequire(import.meta.url)('x')`, what src/ loads at first use), each with a string literal.
 */
export function moduleImports(code: string): ModuleImport[] {
  const found: ModuleImport[] = [];
  visit(parse(code, { ecmaVersion: 'latest', sourceType: 'module' }), found);
  return found;
}

type Node = {
  type?: string;
  source?: { type: string; value: unknown };
  callee?: { type: string; name?: string; callee?: { type: string; name?: string } };
  arguments?: { type: string; value: unknown }[];
};

const DECLARATIONS = new Set(['ImportDeclaration', 'ExportAllDeclaration', 'ExportNamedDeclaration']);

function visit(node: unknown, found: ModuleImport[]): void {
  if (Array.isArray(node)) {
    for (const item of node) visit(item, found);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const n = node as Node;
  const source = n.source?.type === 'Literal' && typeof n.source.value === 'string' ? n.source.value : undefined;
  if (source !== undefined && DECLARATIONS.has(n.type ?? '')) found.push({ kind: 'static', specifier: source });
  if (source !== undefined && n.type === 'ImportExpression') found.push({ kind: 'dynamic', specifier: source });
  if (n.type === 'CallExpression' && isRequire(n.callee)) {
    const first = n.arguments?.[0];
    if (first?.type === 'Literal' && typeof first.value === 'string') found.push({ kind: 'require', specifier: first.value });
  }
  for (const value of Object.values(node)) if (value !== null && typeof value === 'object') visit(value, found);
}

function isRequire(callee: Node['callee']): boolean {
  if (callee?.type === 'Identifier') return /require\d*$/.test(callee.name ?? '');
  return callee?.type === 'CallExpression' && callee.callee?.type === 'Identifier' && /createRequire\d*$/i.test(callee.callee.name ?? '');
}
