/** Set by webpack's DefinePlugin: which browser the build is for. */
declare const __BROWSER__: 'chrome' | 'firefox';
/** Set by webpack's DefinePlugin: true in the test build, which exposes test hooks. */
declare const __TEST__: boolean;
