// ESLint flat config. Besides the usual TypeScript rules it carries the layering rule that keeps
// the dependency arrows of ARCHITECTURE.md pointing one way: renderer -> contract <- core <- electron.
import { builtinModules } from 'node:module';
import { dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const ROOT = dirname(fileURLToPath(import.meta.url));

const NODE_BUILTINS = new Set(builtinModules.filter((name) => !name.startsWith('_')));

/**
 * Names that exist only in a browser page. Computed rather than listed so a new DOM API is covered;
 * names Node also has (URL, fetch, setTimeout, AbortController...) are allowed everywhere. Newer
 * Node versions grew `navigator` and web storage, but core must not lean on them: they are the page's.
 */
const DOM_ONLY_GLOBALS = new Set([
  ...Object.keys(globals.browser).filter((name) => !(name in globals.node) && !(name in globals.builtin) && !(name in globals.es2025)),
  'window',
  'document',
  'navigator',
  'localStorage',
  'sessionStorage',
  'location',
  'history',
]);

/** Packages that only make sense in a window or in Electron's processes. */
const UI_PACKAGES = ['electron', 'react', 'react-dom'];

function packageName(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function isNodeBuiltin(specifier) {
  if (specifier.startsWith('node:')) return true;
  return NODE_BUILTINS.has(specifier) || NODE_BUILTINS.has(specifier.split('/')[0]);
}

/** The layer a file belongs to, from its path relative to the repository root. */
function layerOf(file) {
  const rel = relative(ROOT, file).split(sep).join('/');
  if (rel.startsWith('core/contract/')) return 'contract';
  if (rel.startsWith('core/')) return 'core';
  if (rel.startsWith('renderer/')) return 'renderer';
  if (rel.startsWith('electron/')) return 'electron';
  return null;
}

/** Where a relative import lands, as a repository-relative path (`null` for packages). */
function targetOf(file, specifier) {
  if (!specifier.startsWith('.') && !specifier.startsWith('/')) return null;
  return relative(ROOT, resolve(dirname(file), specifier)).split(sep).join('/');
}

function inFolder(target, folder) {
  return target === folder || target.startsWith(`${folder}/`);
}

/** The capability folder of a repository-relative core path (`core/runs/queue.ts` -> `runs`), null for `core/app.ts`. */
function capabilityOf(path) {
  const parts = path.split('/');
  return parts[0] === 'core' && parts.length > 2 ? parts[1] : null;
}

/**
 * Why an import from one core file into another reaches past a capability's public surface, or
 * null. Inside its own folder a file imports what it likes; another folder is reached only through
 * its `index.ts` (`../runs/index.js`), never `../runs/manager.js`.
 */
function deepImportViolation(file, target) {
  const into = capabilityOf(target);
  if (!into || into === capabilityOf(relative(ROOT, file).split(sep).join('/'))) return null;
  const rest = target.slice(`core/${into}`.length);
  if (rest === '' || /^\/index(\.(js|ts))?$/.test(rest)) return null;
  return `core/${into} is reached only through its index.ts (../${into}/index.js), not ${target}`;
}

/** Why `specifier` may not be imported from a file of `layer`, or null when it may. */
function importViolation(layer, file, specifier) {
  const target = targetOf(file, specifier);
  const pkg = target === null ? packageName(specifier) : null;
  switch (layer) {
    case 'contract':
      if (target !== null) return inFolder(target, 'core/contract') ? null : `core/contract may import only core/contract and zod, not ${target}`;
      if (isNodeBuiltin(specifier)) return `core/contract runs in the renderer too and may not import the Node built-in "${specifier}"`;
      return pkg === 'zod' ? null : `core/contract may import only core/contract and zod, not "${specifier}"`;
    case 'core':
      if (target !== null) {
        if (inFolder(target, 'renderer') || inFolder(target, 'electron')) return `core may not import ${target}: core runs without a window`;
        return deepImportViolation(file, target);
      }
      return UI_PACKAGES.includes(pkg) ? `core may not import "${specifier}": core runs without a window` : null;
    case 'renderer':
      if (target !== null) {
        if (inFolder(target, 'core') && !inFolder(target, 'core/contract')) return `the renderer may import only core/contract from core, not ${target}`;
        if (inFolder(target, 'electron')) return `the renderer may not import ${target}; it talks to the app through the bridge`;
        return null;
      }
      if (isNodeBuiltin(specifier)) return `the renderer runs in a sandboxed page and may not import the Node built-in "${specifier}"`;
      return pkg === 'electron' ? 'the renderer may not import "electron"; use the bridge' : null;
    default:
      return null;
  }
}

const layeringRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Keeps core free of UI code, the contract free of Node, and the renderer to the contract.' },
    messages: {
      import: '{{reason}}.',
      domGlobal: 'core runs without a window and may not use the DOM global "{{name}}".',
    },
    schema: [],
  },
  create(context) {
    const file = context.filename;
    const layer = layerOf(file);
    if (!layer || layer === 'electron') return {};

    function checkSpecifier(node, source) {
      if (!source || source.type !== 'Literal' || typeof source.value !== 'string') return;
      const reason = importViolation(layer, file, source.value);
      if (reason) context.report({ node, messageId: 'import', data: { reason } });
    }

    const visitors = {
      ImportDeclaration: (node) => checkSpecifier(node, node.source),
      ExportNamedDeclaration: (node) => checkSpecifier(node, node.source),
      ExportAllDeclaration: (node) => checkSpecifier(node, node.source),
      ImportExpression: (node) => checkSpecifier(node, node.source),
      TSImportEqualsDeclaration: (node) => {
        if (node.moduleReference.type === 'TSExternalModuleReference') checkSpecifier(node, node.moduleReference.expression);
      },
      TSImportType: (node) => checkSpecifier(node, node.argument?.type === 'TSLiteralType' ? node.argument.literal : node.argument),
      CallExpression: (node) => {
        if (node.callee.type === 'Identifier' && node.callee.name === 'require' && node.arguments.length === 1) checkSpecifier(node, node.arguments[0]);
      },
    };
    if (layer === 'core' || layer === 'contract') {
      const reportGlobal = (node, name) => context.report({ node, messageId: 'domGlobal', data: { name } });
      visitors.MemberExpression = (node) => {
        // `globalThis.document` reaches the DOM as surely as `document` does.
        if (node.object.type === 'Identifier' && node.object.name === 'globalThis' && !node.computed && DOM_ONLY_GLOBALS.has(node.property.name)) {
          reportGlobal(node, node.property.name);
        }
      };
      visitors['Program:exit'] = (program) => {
        const globalScope = context.sourceCode.getScope(program);
        const seen = new Set();
        const report = (reference) => {
          const id = reference.identifier;
          if (seen.has(id) || !DOM_ONLY_GLOBALS.has(id.name)) return;
          seen.add(id);
          reportGlobal(id, id.name);
        };
        // Unresolved names, and names that resolve only to a configured or lib global (no declaration).
        for (const reference of globalScope.through) report(reference);
        for (const variable of globalScope.variables) {
          if (variable.defs.length === 0) for (const reference of variable.references) report(reference);
        }
      };
    }
    return visitors;
  },
};

/** The local plugin; exported so tests can run the rule on its own. */
export const layeringPlugin = { meta: { name: 'agent-blob-layering' }, rules: { imports: layeringRule } };

export default tseslint.config(
  {
    ignores: ['dist/**', 'release/**', 'node_modules/**', 'test-output/**', 'scratch/**', '.data/**', '**/fixtures/**', 'coverage/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{js,mjs,cjs,ts,mts,cts,tsx}'],
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: { ...globals.node },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Unused parameters document a callback's shape; a leading underscore marks the rest as intended.
      '@typescript-eslint/no-unused-vars': ['error', { args: 'none', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
      // Narrowing casts (`as Row[]`) and `!` after a checked lookup are how better-sqlite3 and zod results are typed.
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      'no-constant-condition': ['error', { checkLoops: false }],
      'no-empty': ['error', { allowEmptyCatch: false }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'prefer-const': 'error',
      'no-var': 'error',
      'no-throw-literal': 'error',
      'no-return-await': 'off',
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    ignores: ['renderer/*.config.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['core/**/*.ts', 'renderer/**/*.{ts,tsx}', 'electron/**/*.ts'],
    // Build configs run in Node at build time, not in the page.
    ignores: ['renderer/*.config.ts'],
    plugins: { layering: layeringPlugin },
    rules: { 'layering/imports': 'error' },
  },
);
