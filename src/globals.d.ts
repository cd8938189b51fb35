/** Set by webpack's DefinePlugin: which browser the build is for. */
declare const __BROWSER__: 'chrome' | 'firefox';
