// A webpack loader that takes out of two dependencies the code that
// Lesmodus never runs and that Mozilla's add-on linter (web-ext lint, which
// reviewers of the Firefox add-on read too) flags. Each patch is exact: it
// must match its file exactly once, and the build fails when a patched file
// is not bundled or no longer matches (after a dependency update: look again,
// the reason may be gone or have moved).

/** @type {Array<{ name: string, file: RegExp, find: RegExp, replace: string, why: string }>} */
const PATCHES = [
  {
    name: 'zod: no eval probe',
    file: /[\\/]node_modules[\\/]zod[\\/]v4[\\/]core[\\/]util\.js$/,
    // allowsEval() tries `new Function("")` to see whether it may compile
    // fast object parsers. Extension pages and workers forbid eval (CSP), and
    // src/zod-config.ts sets zod's `jitless` before any schema exists, so the
    // probe is never reached; without it in the bundle the linter has no
    // DANGEROUS_EVAL to report. (zod's parser compiler, reached only when
    // the probe said yes, stays: the linter does not flag it.)
    find: /try \{\s*const F = Function;\s*new F\(""\);\s*return true;\s*\}\s*catch \(_\) \{\s*return false;\s*\}/,
    replace: 'return false; /* Lesmodus: no eval in an extension (src/tools/webpack-dependency-patches.js) */',
    why: 'DANGEROUS_EVAL',
  },
  {
    name: 'preact: no raw HTML',
    file: /[\\/]node_modules[\\/]preact[\\/]dist[\\/]preact\.(module\.js|mjs)$/,
    // The one innerHTML assignment in Preact renders `dangerouslySetInnerHTML`,
    // which Lesmodus never uses (eslint.config.js forbids it): every page
    // builds its DOM from components. Raw HTML becomes an error instead of
    // an UNSAFE_VAR_ASSIGNMENT that reviewers would have to clear by hand.
    find: /\((\w+)\.innerHTML=(\w+)\.__html\)/,
    replace: '(function(){throw new Error("Lesmodus renders no raw HTML (dangerouslySetInnerHTML)")})()',
    why: 'UNSAFE_VAR_ASSIGNMENT',
  },
];

/** Per compiler (chrome, firefox): the patches applied, for DependencyPatchesPlugin's check. */
const applied = new Map();

/** The loader: applies the patches whose file this is. */
function dependencyPatchesLoader(source) {
  const compiler = this._compiler?.name ?? '';
  let patched = source;
  for (const patch of PATCHES) {
    if (!patch.file.test(this.resourcePath)) continue;
    const matches = patched.match(new RegExp(patch.find.source, 'g')) ?? [];
    if (matches.length !== 1) {
      throw new Error(`${patch.name}: expected exactly one match in ${this.resourcePath}, found ${matches.length}; see src/tools/webpack-dependency-patches.js`);
    }
    patched = patched.replace(patch.find, patch.replace);
    if (!applied.has(compiler)) applied.set(compiler, new Set());
    applied.get(compiler).add(patch.name);
  }
  return patched;
}

/** Fails the build when a patch found no file to apply to (the dependency moved its code). */
class DependencyPatchesPlugin {
  apply(compiler) {
    compiler.hooks.thisCompilation.tap('DependencyPatchesPlugin', () => applied.delete(compiler.name ?? ''));
    compiler.hooks.afterCompile.tap('DependencyPatchesPlugin', (compilation) => {
      const done = applied.get(compiler.name ?? '') ?? new Set();
      for (const patch of PATCHES) {
        if (!done.has(patch.name)) {
          compilation.errors.push(new compiler.webpack.WebpackError(`${patch.name}: no bundled file matched ${patch.file}, so the web-ext lint ${patch.why} warning would be back; see src/tools/webpack-dependency-patches.js`));
        }
      }
    });
  }
}

/** The module rule that runs the loader on the patched files. */
const dependencyPatchesRule = {
  test: (path) => PATCHES.some((patch) => patch.file.test(path)),
  loader: __filename,
};

module.exports = dependencyPatchesLoader;
module.exports.PATCHES = PATCHES;
module.exports.DependencyPatchesPlugin = DependencyPatchesPlugin;
module.exports.dependencyPatchesRule = dependencyPatchesRule;
