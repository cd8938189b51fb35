/**
 * zod's settings for every bundle of the extension, evaluated before any
 * other module (webpack.config.js puts it first in each entry): schemas read
 * `jitless` when they are built, and many are built when their module loads.
 *
 * `jitless`: zod would otherwise probe `new Function` and compile fast object
 * parsers with it. Extension pages and workers forbid eval under their
 * content security policy (the probe only fails, and is reported as a CSP
 * violation), so zod's interpreter is what runs anyway; saying so up front
 * keeps eval out of the extension entirely.
 */
import { config } from 'zod';

config({ jitless: true });
