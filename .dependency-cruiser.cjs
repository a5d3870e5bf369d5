/**
 * Module boundaries, checked by `npm run lint` (ARCHITECTURE.md, "Module boundaries", explains them).
 * test/dependency-rules.test.ts runs this configuration on fixtures that break each rule.
 * @type {import('dependency-cruiser').IConfiguration}
 */
const MODULE_INDEX = '^src/modules/[^/]+/index\\.ts$';

module.exports = {
  forbidden: [
    {
      name: 'routes-no-schema',
      severity: 'error',
      comment: 'Routes map HTTP to module verbs; queries live in the modules (src/modules/<name>/<verb>.ts).',
      from: { path: '^src/http/routes/' },
      to: { path: '^src/db/schema/' },
    },
    {
      name: 'no-deep-module-imports',
      severity: 'error',
      comment:
        "From outside src/modules/<name>/, only that module's index.ts: its public surface. One exception: the order " +
        'and payment state tables (activations/states.ts, payments/states.ts, which import nothing) are read by db/schema, ' +
        "where the module's index would make a cycle (schema → activations → schema).",
      from: { pathNot: '^src/modules/[^/]+/' },
      to: { path: '^src/modules/[^/]+/', pathNot: [MODULE_INDEX, '^src/modules/(activations|payments)/states[.]ts$'] },
    },
    {
      name: 'no-deep-module-imports',
      severity: 'error',
      comment: "One module uses another only through the other's index.ts (its own files and tests may import deep).",
      from: { path: '^src/modules/([^/]+)/' },
      to: { path: '^src/modules/[^/]+/', pathNot: ['^src/modules/$1/', MODULE_INDEX] },
    },
    {
      name: 'no-module-cycles',
      severity: 'error',
      comment:
        'Modules depend on each other in one direction only: break a cycle by moving what both need, or by a port ' +
        'that the depending module declares and the other implements (see activations/deps.ts, UpstreamProviders).',
      from: { path: '^src/modules/([^/]+)/' },
      to: { circular: true, via: { path: '^src/modules/', pathNot: '^src/modules/$1/' } },
    },
  ],
  options: {
    tsConfig: { fileName: 'tsconfig.json' },
    // Type-only imports couple modules too.
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)node_modules/|^dist/|^web/' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
      extensions: ['.ts', '.js'],
    },
  },
};
