import { describe, expect, it } from '@jest/globals';
import { UsageError } from '../../../src/tools/cli';
import { hasDisplay, parseStartArgs } from '../../../src/tools/start';

const X11 = { DISPLAY: ':0' };

describe('npm start arguments', () => {
  it.each([
    [[], X11, { browser: 'chromium', headless: false, headlessBecause: null, online: false, build: true }],
    [[], {}, { browser: 'chromium', headless: true, headlessBecause: 'no-display', online: false, build: true }],
    [['--firefox'], { WAYLAND_DISPLAY: 'wayland-0' }, { browser: 'firefox', headless: false, headlessBecause: null, online: false, build: true }],
    [['--headless', '--online'], X11, { browser: 'chromium', headless: true, headlessBecause: 'asked', online: true, build: true }],
    [['--no-build', '--firefox'], {}, { browser: 'firefox', headless: true, headlessBecause: 'no-display', online: false, build: false }],
  ])('%j with %j', (argv, env, options) => {
    expect(parseStartArgs(argv, env, 'linux')).toEqual({ help: false, options });
  });

  it.each([[['--help']], [['-h']], [['--firefox', '--help']]])('%j asks for the usage', (argv) => {
    expect(parseStartArgs(argv, {}, 'linux')).toEqual({ help: true });
  });

  it.each([
    [['--chrome'], 'npm start: unknown option --chrome; see npm start -- --help'],
    [['--firefox=esr'], 'npm start: --firefox takes no value; see npm start -- --help'],
    [['firefox'], 'npm start: unexpected argument firefox; see npm start -- --help'],
    [['--no-build', '-x'], 'npm start: unknown option -x; see npm start -- --help'],
  ])('%j is refused in one line naming it', (argv, message) => {
    expect(() => parseStartArgs(argv, {}, 'linux')).toThrow(new UsageError(message));
  });

  it.each([
    ['linux', {}, false],
    ['linux', { DISPLAY: '' }, false],
    ['linux', X11, true],
    ['darwin', {}, true],
    ['win32', {}, true],
  ] as const)('a display on %s with %j: %s', (platform, env, display) => {
    expect(hasDisplay(env, platform)).toBe(display);
  });
});
