// The import direction of shared/ARCHITECTURE.md, enforced by test/architecture/dependencies.test.ts.
//   http ──> fhir ──> access ──> { policy, search, store, audit, scheduling } ──> domain
//     └──> auth ──────────────────────────────────────────────────────────────────┘
// Each layer lists what it may import; everything else in src/ is forbidden.
const layers = {
  domain: [],
  search: ['domain'],
  store: ['domain'],
  policy: ['domain'],
  audit: ['domain', 'store'],
  scheduling: ['domain'],
  access: ['domain', 'policy', 'search', 'store', 'audit', 'scheduling'],
  fhir: ['domain', 'access', 'search', 'store'],
  auth: ['domain'],
  http: ['domain', 'fhir', 'access', 'auth'],
};

const forbidden = Object.entries(layers).map(([layer, allowed]) => ({
  name: `${layer}-imports-only-below`,
  comment: `src/${layer} may import only: ${allowed.length ? allowed.join(', ') : 'nothing else in src'}`,
  severity: 'error',
  from: { path: `^src/${layer}/` },
  to: {
    path: '^src/',
    pathNot: [`^src/${layer}/`, ...allowed.map((a) => `^src/${a}/`)],
  },
}));

module.exports = {
  forbidden: [
    ...forbidden,
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'only-the-composition-root-imports-config',
      comment: 'main.ts and compose.ts wire concrete parts; layers receive what they need as arguments',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(main|compose)\\.ts$' },
      to: { path: '^src/(config|compose|main)\\.ts$' },
    },
    {
      name: 'released-is-branded-only-in-access',
      comment: 'Only src/access may create a Released value; others may use the type',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/access/' },
      to: { path: '^src/access/released\\.ts$', dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], extensions: ['.ts', '.js'] },
  },
};
