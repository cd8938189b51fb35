/**
 * The production class-feed host (nginx + nchan, optionally sharing channels
 * through Redis) run for tests, the bench and demos: redis-server and N nginx
 * nodes as child processes of this one, on free ports of 127.0.0.1, each in
 * a directory of its own under one temporary directory, with the shipped
 * configuration (src/server/nginx/lesmodus/) included unchanged. No root, no
 * system service, nothing outside the temporary directory.
 *
 *   const hosts = await startFeedHosts({ nodes: 2, redis: true });
 *   hosts.nodes[0].urlTemplate          // http://127.0.0.1:PORT/feed/{class}.jws (PUT, GET, GET + token)
 *   hosts.nodes[1].subscribeUrlTemplate // ws://127.0.0.1:PORT/feed/{class}.jws
 *   hosts.authorization                 // "Bearer <token>" that may publish to every class
 *   await hosts.nodes[1].stop(); await hosts.nodes[1].restart();
 *   await hosts.stop();                 // everything, and the directory
 *
 * Works under Jest (@swc/jest, CommonJS) and tsx. Linux (worker processes
 * are found through /proc). Needs the nginx binary, nchan's dynamic module
 * and redis-server (Debian: nginx libnginx-mod-nchan redis-server); the
 * environment variables LESMODUS_NGINX, LESMODUS_NCHAN_MODULE and
 * LESMODUS_REDIS_SERVER point elsewhere.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createConnection, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { CLASS_ID_RE } from '../core/feed/format';

/** The shipped configuration that every node includes as it is. */
export const NGINX_CONFIG_DIR = resolve(__dirname, '..', 'server', 'nginx', 'lesmodus');
/** The production site file, for /etc/nginx/conf.d/. */
export const NGINX_SITE_FILE = resolve(__dirname, '..', 'server', 'nginx', 'lesmodus-feed.conf');

/** The class id the readiness probe asks for (never published to). */
export const PROBE_CLASS = 'lesmodus-ready';

const READY_TIMEOUT_MS = 20_000;

function executable(variable: string, candidates: readonly string[]): string {
  const chosen = process.env[variable];
  if (chosen) return chosen;
  return candidates.find((candidate) => existsSync(candidate)) ?? candidates[0]!;
}

const NGINX = (): string => executable('LESMODUS_NGINX', ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/local/nginx/sbin/nginx']);
const NCHAN_MODULE = (): string =>
  executable('LESMODUS_NCHAN_MODULE', ['/usr/lib/nginx/modules/ngx_nchan_module.so', '/usr/lib64/nginx/modules/ngx_nchan_module.so', '/usr/local/nginx/modules/ngx_nchan_module.so']);
const REDIS_SERVER = (): string => executable('LESMODUS_REDIS_SERVER', ['/usr/bin/redis-server', '/usr/local/bin/redis-server']);

/** One publishing token and the classes it may publish to ('*': all). */
export interface FeedToken {
  readonly token: string;
  readonly classes: '*' | readonly string[];
}

export interface FeedHostsOptions {
  /** nginx nodes; default 1. */
  readonly nodes?: number;
  /** Share channels through one redis-server; default true when there is more than one node. */
  readonly redis?: boolean;
  /** Publishing tokens; default one random token for every class. */
  readonly tokens?: readonly FeedToken[];
  /** nginx worker_processes of each node; default 1. */
  readonly workerProcesses?: number;
  /** worker_connections of each node; default 4096. */
  readonly workerConnections?: number;
  /** Keep the directory (configurations and logs) after stop(), for a post-mortem. */
  readonly keepDir?: boolean;
}

/** A child process (nginx master or redis-server) that can be stopped and started again on the same port. */
export interface HostProcess {
  readonly port: number;
  /** True between a (re)start that answered and the next stop. */
  readonly running: boolean;
  /** Process id of nginx's master or of redis-server; null when stopped. */
  readonly pid: number | null;
  /**
   * Stops the process and waits until it is gone. SIGTERM (default) is
   * nginx's and Redis' fast shutdown; SIGKILL is a crash (the whole process
   * group, so nginx workers go with their master).
   */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Starts it again on the same port and waits until it answers. */
  restart(): Promise<void>;
}

export interface FeedNode extends HostProcess {
  readonly name: string;
  /** `http://127.0.0.1:PORT` */
  readonly origin: string;
  /**
   * What a policy's classFeed.urlTemplate says: PUT publishes, GET fetches
   * (ETag / 304), GET with the token reports the channel.
   */
  readonly urlTemplate: string;
  /** The same address with ws:// — a WebSocket here subscribes. */
  readonly subscribeUrlTemplate: string;
  /** `urlTemplate` for one class. */
  url(classId: string): string;
  /** `subscribeUrlTemplate` for one class. */
  subscribeUrl(classId: string): string;
  /** Process ids of the running worker processes (Linux /proc). */
  workerPids(): number[];
  readonly errorLogFile: string;
  readonly accessLogFile: string;
}

export interface FeedRedis extends HostProcess {
  /** `redis://127.0.0.1:PORT` */
  readonly url: string;
}

export interface FeedHosts {
  readonly dir: string;
  readonly nodes: readonly FeedNode[];
  readonly redis: FeedRedis | null;
  readonly tokens: readonly FeedToken[];
  /** The first token, which may publish to every class unless `tokens` said otherwise. */
  readonly token: string;
  /** `Bearer <token>`: the classFeed.authorization of a teacher's policy. */
  readonly authorization: string;
  /** Stops every process and removes the directory (unless keepDir). */
  stop(): Promise<void>;
}

/** Refuses a token that nginx's map could not hold or the feed's Authorization check could not match. */
function tokenProblem(token: FeedToken, index: number): string | null {
  const where = `tokens[${index}]`;
  if (!/^[A-Za-z0-9._+/-]{16,128}=*$/.test(token.token)) return `${where}.token: 16 to 128 characters of A-Z a-z 0-9 . _ + / - (then = padding)`;
  if (token.classes !== '*') {
    if (token.classes.length === 0) return `${where}.classes: name at least one class, or '*' for all`;
    const bad = token.classes.find((classId) => !CLASS_ID_RE.test(classId));
    if (bad !== undefined) return `${where}.classes: "${bad}" is not a class id (${CLASS_ID_RE.source})`;
  }
  return null;
}

/**
 * The body of lesmodus/tokens.map (the file IT manages in production): one
 * line per token, its classes separated by spaces, or "*". Throws for a
 * token or class that would not work, naming which.
 */
export function tokensMap(tokens: readonly FeedToken[]): string {
  const lines = ['# token  classes it may publish to ("*": every class)'];
  tokens.forEach((token, index) => {
    const problem = tokenProblem(token, index);
    if (problem !== null) throw new Error(problem);
    lines.push(`${token.token} "${token.classes === '*' ? '*' : token.classes.join(' ')}";`);
  });
  return `${lines.join('\n')}\n`;
}

interface NodeConfig {
  readonly dir: string;
  readonly port: number;
  /** The loopback server's port (127.0.0.1), which only the GET fallback uses. */
  readonly loopbackPort: number;
  readonly redisPort: number | null;
  readonly workerProcesses: number;
  readonly workerConnections: number;
}

/** The upstream block of lesmodus-feed.conf, pointing at the test's Redis. */
function redisUpstream(port: number): string {
  return `    upstream lesmodus_redis {
        nchan_redis_server redis://127.0.0.1:${port};
        nchan_redis_accurate_subscriber_count on;
        nchan_redis_reconnect_delay_max 2s;
        nchan_redis_connect_timeout 2s;
    }
`;
}

/** nginx.conf of one node: the frame of lesmodus-feed.conf (ports, paths, process) around the shipped includes. */
export function nodeConfig(config: NodeConfig): string {
  const { dir } = config;
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  return `# Generated by src/dev/feed-hosts.ts for a test host, after src/server/nginx/lesmodus-feed.conf.
load_module ${NCHAN_MODULE()};
${asRoot ? '# Run as root (a container): keep the workers as this user, so they can use this directory.\nuser root;\n' : ''}worker_processes ${config.workerProcesses};
worker_rlimit_nofile ${config.workerConnections * 2 + 64};
pid ${dir}/nginx.pid;
error_log ${dir}/logs/error.log notice;
events {
    worker_connections ${config.workerConnections};
}
http {
    client_body_temp_path ${dir}/tmp/body;
    proxy_temp_path ${dir}/tmp/proxy;
    fastcgi_temp_path ${dir}/tmp/fastcgi;
    uwsgi_temp_path ${dir}/tmp/uwsgi;
    scgi_temp_path ${dir}/tmp/scgi;

    include lesmodus/feed-http.conf;
    nchan_shared_memory_size 32m;
${config.redisPort === null ? '' : redisUpstream(config.redisPort)}    upstream lesmodus_loopback {
        server 127.0.0.1:${config.loopbackPort};
        keepalive 16;
    }
    proxy_cache_path ${dir}/fetch-cache keys_zone=lesmodus_feed_fetch:1m max_size=1m;

    server {
        listen 127.0.0.1:${config.loopbackPort};
        access_log off;
        include lesmodus/feed-loopback.conf;
    }

    server {
        listen 127.0.0.1:${config.port};
        access_log ${dir}/logs/access.log lesmodus_feed;
        include lesmodus/feed-locations.conf;
    }
}
`;
}

/** A port that was free a moment ago (the kernel's choice for port 0). */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => done(port));
    });
  });
}

const pause = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

/** GET `path` (over TLS without checking the certificate, when `tls`); the status, or null when nothing answered. */
function statusOf(port: number, path: string, tls = false): Promise<number | null> {
  return new Promise((done) => {
    const send = tls ? httpsRequest : request;
    const req = send({ host: '127.0.0.1', port, path, method: 'GET', agent: false, timeout: 2000, rejectUnauthorized: false }, (res) => {
      res.resume();
      done(res.statusCode ?? null);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => done(null));
    req.end();
  });
}

/** True when Redis answers PING with PONG. */
function redisPong(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let answer = '';
    socket.setTimeout(2000, () => socket.destroy());
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      answer += chunk.toString();
      if (answer.includes('\r\n')) {
        socket.end();
        done(answer.startsWith('+PONG'));
      }
    });
    socket.on('error', () => done(false));
    socket.on('close', () => done(false));
  });
}

/**
 * Waits until `ready()` says so, asking again as soon as an answer came back
 * (and a moment after a refusal); fails when the process exits first or
 * READY_TIMEOUT_MS pass, with `describe()`'s words (e.g. the error log).
 */
async function waitUntilReady(what: string, child: ChildProcess, ready: () => Promise<boolean>, describe: () => string): Promise<void> {
  let exited: string | null = null;
  const onExit = (code: number | null, signal: string | null): void => {
    exited = signal ?? `code ${code}`;
  };
  child.once('exit', onExit);
  try {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      if (exited !== null) throw new Error(`${what} exited (${exited}) before it answered: ${describe()}`);
      if (await ready()) return;
      if (Date.now() > deadline) throw new Error(`${what} did not answer within ${READY_TIMEOUT_MS / 1000} s: ${describe()}`);
      await pause(25);
    }
  } finally {
    child.off('exit', onExit);
  }
}

/** Every process group still running, killed when this process exits however it exits. */
const live = new Set<ChildProcess>();
let exitHooked = false;

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

function hookExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  process.on('exit', () => {
    for (const child of live) killGroup(child, 'SIGKILL');
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      for (const child of live) killGroup(child, 'SIGKILL');
      process.kill(process.pid, signal);
    });
  }
}

/** Starts `command` in a process group of its own (so a SIGKILL takes its children too). */
function launch(command: string, args: readonly string[], logFile: string | null): ChildProcess {
  const child = spawn(command, args, { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.once('exit', () => {
    live.delete(child);
    if (stderr !== '' && logFile !== null) void writeFile(logFile, stderr, { flag: 'a' }).catch(() => undefined);
  });
  // Neither the child nor its stderr pipe keeps this process alive.
  child.unref();
  (child.stderr as unknown as { unref?: () => void } | null)?.unref?.();
  live.add(child);
  hookExit();
  return child;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => child.once('exit', () => done()));
}

/** Children of `pid`, from /proc (Linux). */
function childPids(pid: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so read after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return `(no ${file})`;
  }
}

class ManagedProcess implements HostProcess {
  private child: ChildProcess | null = null;

  constructor(
    private readonly what: string,
    readonly port: number,
    private readonly command: () => [string, string[]],
    private readonly ready: () => Promise<boolean>,
    private readonly logFile: string,
  ) {}

  get running(): boolean {
    return this.child !== null;
  }

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  async start(): Promise<void> {
    if (this.child !== null) throw new Error(`${this.what} is already running`);
    const [command, args] = this.command();
    const child = launch(command, args, this.logFile);
    await new Promise<void>((done, fail) => {
      child.once('spawn', () => done());
      child.once('error', (error) => fail(new Error(`${this.what}: cannot run ${command}: ${error.message}`)));
    });
    try {
      await waitUntilReady(this.what, child, this.ready, () => tail(this.logFile));
    } catch (error) {
      child.ref();
      killGroup(child, 'SIGKILL');
      await exited(child);
      throw error;
    }
    this.child = child;
  }

  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (child === null) return;
    this.child = null;
    // Waiting for the exit keeps this process alive (the child itself does not).
    child.ref();
    if (signal === 'SIGKILL') killGroup(child, 'SIGKILL');
    else child.kill('SIGTERM');
    await exited(child);
    // nginx's workers leave after the master on SIGTERM; a straggler is not left behind.
    killGroup(child, 'SIGKILL');
  }

  restart(): Promise<void> {
    return this.start();
  }
}

function requireFile(path: string, what: string, hint: string): void {
  if (!existsSync(path)) throw new Error(`${what} not found at ${path}: ${hint}`);
}

async function startRedis(dir: string): Promise<FeedRedis> {
  const redisDir = join(dir, 'redis');
  await mkdir(redisDir, { recursive: true });
  const command = REDIS_SERVER();
  requireFile(command, 'redis-server', 'install redis-server (Debian: apt-get install redis-server) or set LESMODUS_REDIS_SERVER');
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const logFile = join(redisDir, 'redis.log');
    const managed = new ManagedProcess(
      'redis-server',
      port,
      () => [
        command,
        // An append-only file in its directory: a stopped and restarted Redis still has the channels, as a real one does.
        ['--port', String(port), '--bind', '127.0.0.1', '--dir', redisDir, '--appendonly', 'yes', '--save', '', '--daemonize', 'no', '--logfile', logFile, '--protected-mode', 'yes'],
      ],
      () => redisPong(port),
      logFile,
    );
    try {
      await managed.start();
    } catch (error) {
      if (attempt < 3 && /Address already in use/.test(tail(logFile))) continue;
      throw error;
    }
    return Object.assign(managed, { url: `redis://127.0.0.1:${port}` });
  }
}

async function startNode(dir: string, name: string, redisPort: number | null, options: Required<Pick<FeedHostsOptions, 'workerProcesses' | 'workerConnections'>>, tokens: string): Promise<FeedNode> {
  const nodeDir = join(dir, name);
  await mkdir(join(nodeDir, 'logs'), { recursive: true });
  await mkdir(join(nodeDir, 'tmp'), { recursive: true });
  await cp(NGINX_CONFIG_DIR, join(nodeDir, 'lesmodus'), { recursive: true });
  await writeFile(join(nodeDir, 'lesmodus', 'tokens.map'), tokens);
  const storage = redisPort === null ? 'storage-memory.conf' : 'storage-redis.conf';
  await cp(join(NGINX_CONFIG_DIR, storage), join(nodeDir, 'lesmodus', 'storage.conf'));
  const errorLogFile = join(nodeDir, 'logs', 'error.log');
  const nginx = NGINX();
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const loopbackPort = await freePort();
    await writeFile(join(nodeDir, 'nginx.conf'), nodeConfig({ dir: nodeDir, port, loopbackPort, redisPort, ...options }));
    const test = spawnSync(nginx, ['-t', '-q', '-p', nodeDir, '-c', 'nginx.conf', '-e', errorLogFile], { encoding: 'utf8' });
    if (test.error) throw new Error(`${name}: cannot run ${nginx} (${test.error.message}): install nginx and libnginx-mod-nchan (Debian) or set LESMODUS_NGINX`);
    if (test.status !== 0) throw new Error(`${name}: nginx refuses the configuration in ${nodeDir}: ${test.stderr.trim()}`);
    // Ready: nginx answers, and with Redis, nchan has connected (until then every feed request is 503).
    const ready = async (): Promise<boolean> => {
      const status = await statusOf(port, `/feed/${PROBE_CLASS}.jws`);
      return status !== null && status !== 503;
    };
    const managed = new ManagedProcess(name, port, () => [nginx, ['-p', nodeDir, '-c', 'nginx.conf', '-e', errorLogFile, '-g', 'daemon off; master_process on;']], ready, errorLogFile);
    try {
      await managed.start();
    } catch (error) {
      if (attempt < 3 && /Address already in use/.test(tail(errorLogFile))) continue;
      throw error;
    }
    const origin = `http://127.0.0.1:${port}`;
    const urlTemplate = `${origin}/feed/{class}.jws`;
    const subscribeUrlTemplate = `ws://127.0.0.1:${port}/feed/{class}.jws`;
    return Object.assign(managed, {
      name,
      origin,
      urlTemplate,
      subscribeUrlTemplate,
      url: (classId: string) => urlTemplate.replace('{class}', encodeURIComponent(classId)),
      subscribeUrl: (classId: string) => subscribeUrlTemplate.replace('{class}', encodeURIComponent(classId)),
      workerPids: () => (managed.pid === null ? [] : childPids(managed.pid)),
      errorLogFile,
      accessLogFile: join(nodeDir, 'logs', 'access.log'),
    });
  }
}

/** Starts Redis (when asked) and the nginx nodes; resolves once every one answers. */
export async function startFeedHosts(options: FeedHostsOptions = {}): Promise<FeedHosts> {
  const nodeCount = options.nodes ?? 1;
  if (!Number.isInteger(nodeCount) || nodeCount < 1) throw new Error(`nodes: a whole number of at least 1, not ${nodeCount}`);
  const useRedis = options.redis ?? nodeCount > 1;
  const tokens = options.tokens ?? [{ token: randomBytes(32).toString('hex'), classes: '*' as const }];
  if (tokens.length === 0) throw new Error('tokens: at least one');
  const map = tokensMap(tokens);
  const module = NCHAN_MODULE();
  requireFile(module, "nchan's nginx module", 'install libnginx-mod-nchan (Debian) or set LESMODUS_NCHAN_MODULE');

  const dir = await mkdtemp(join(tmpdir(), 'lesmodus-feed-hosts-'));
  const started: HostProcess[] = [];
  const stopAll = async (): Promise<void> => {
    await Promise.all(started.map((process) => process.stop()));
    if (!options.keepDir) await rm(dir, { recursive: true, force: true });
  };
  try {
    const redis = useRedis ? await startRedis(dir) : null;
    if (redis) started.push(redis);
    const nodes: FeedNode[] = [];
    for (let index = 0; index < nodeCount; index++) {
      const node = await startNode(dir, `node-${index}`, redis?.port ?? null, { workerProcesses: options.workerProcesses ?? 1, workerConnections: options.workerConnections ?? 4096 }, map);
      started.push(node);
      nodes.push(node);
    }
    return { dir, nodes, redis, tokens, token: tokens[0]!.token, authorization: `Bearer ${tokens[0]!.token}`, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** The error log of a node, for a test's failure message. */
export async function errorLog(node: FeedNode): Promise<string> {
  return readFile(node.errorLogFile, 'utf8').catch(() => '');
}

/** The production site file with its EDIT lines pointed at a test directory: throws if one is not where it was. */
export function siteForTest(site: string, values: { readonly dir: string; readonly httpsPort: number; readonly httpPort: number; readonly loopbackPort: number; readonly certFile: string; readonly keyFile: string; readonly redisPort: number | null }): string {
  const { dir } = values;
  const replacements: Array<[string | RegExp, string]> = [
    ['listen 443 ssl;', `listen 127.0.0.1:${values.httpsPort} ssl;`],
    ['listen [::]:443 ssl;', ''],
    ['listen 80;', `listen 127.0.0.1:${values.httpPort};`],
    ['listen [::]:80;', ''],
    [/ssl_certificate +\/etc\/letsencrypt\/live\/feed\.school\.example\/fullchain\.pem;/, `ssl_certificate ${values.certFile};`],
    [/ssl_certificate_key +\/etc\/letsencrypt\/live\/feed\.school\.example\/privkey\.pem;/, `ssl_certificate_key ${values.keyFile};`],
    ['/var/log/nginx/', `${dir}/logs/`],
    ['/var/log/nginx/', `${dir}/logs/`],
    ['/var/lib/nginx/lesmodus-feed-cache', `${dir}/fetch-cache`],
    ['127.0.0.1:8718', `127.0.0.1:${values.loopbackPort}`],
    ['127.0.0.1:8718', `127.0.0.1:${values.loopbackPort}`],
    ['redis://127.0.0.1:6379', `redis://127.0.0.1:${values.redisPort ?? 6379}`],
  ];
  let text = site;
  for (const [from, to] of replacements) {
    const found = typeof from === 'string' ? text.includes(from) : from.test(text);
    if (!found) throw new Error(`lesmodus-feed.conf: "${String(from)}" is no longer there: update siteForTest`);
    text = text.replace(from, to);
  }
  return text;
}

export interface FeedSite extends HostProcess {
  /** `https://127.0.0.1:PORT` */
  readonly origin: string;
  /** The plain-HTTP port, which only redirects. */
  readonly httpPort: number;
  readonly errorLogFile: string;
  readonly dir: string;
  /** Stops nginx and removes the directory. */
  close(): Promise<void>;
}

/**
 * Runs src/server/nginx/lesmodus-feed.conf itself — TLS, the redirect, the
 * loopback server — as IT installs it, with only its EDIT lines changed: a
 * certificate made for the test, ports and paths in a temporary directory,
 * channels in memory.
 */
export async function startFeedSite(options: { readonly certFile: string; readonly keyFile: string; readonly tokens: readonly FeedToken[] }): Promise<FeedSite> {
  const map = tokensMap(options.tokens);
  requireFile(NCHAN_MODULE(), "nchan's nginx module", 'install libnginx-mod-nchan (Debian) or set LESMODUS_NCHAN_MODULE');
  const dir = await mkdtemp(join(tmpdir(), 'lesmodus-feed-site-'));
  await mkdir(join(dir, 'logs'));
  await mkdir(join(dir, 'tmp'));
  await mkdir(join(dir, 'conf.d'));
  await cp(NGINX_CONFIG_DIR, join(dir, 'lesmodus'), { recursive: true });
  await writeFile(join(dir, 'lesmodus', 'tokens.map'), map);
  const [httpsPort, httpPort, loopbackPort] = [await freePort(), await freePort(), await freePort()];
  const site = siteForTest(await readFile(NGINX_SITE_FILE, 'utf8'), { dir, httpsPort, httpPort, loopbackPort, certFile: options.certFile, keyFile: options.keyFile, redisPort: null });
  await writeFile(join(dir, 'conf.d', 'lesmodus-feed.conf'), site);
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  // The frame Debian's /etc/nginx/nginx.conf gives it: the module loaded, conf.d/ included in http {}.
  await writeFile(
    join(dir, 'nginx.conf'),
    `load_module ${NCHAN_MODULE()};
${asRoot ? 'user root;\n' : ''}worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/logs/error.log notice;
events { worker_connections 1024; }
http {
    client_body_temp_path ${dir}/tmp/body;
    proxy_temp_path ${dir}/tmp/proxy;
    fastcgi_temp_path ${dir}/tmp/fastcgi;
    uwsgi_temp_path ${dir}/tmp/uwsgi;
    scgi_temp_path ${dir}/tmp/scgi;
    include conf.d/*.conf;
}
`,
  );
  const errorLogFile = join(dir, 'logs', 'error.log');
  const nginx = NGINX();
  const managed = new ManagedProcess('nginx (lesmodus-feed.conf)', httpsPort, () => [nginx, ['-p', dir, '-c', 'nginx.conf', '-e', errorLogFile, '-g', 'daemon off; master_process on;']], async () => (await statusOf(httpsPort, `/feed/${PROBE_CLASS}.jws`, true)) === 404, errorLogFile);
  try {
    await managed.start();
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return Object.assign(managed, {
    origin: `https://127.0.0.1:${httpsPort}`,
    httpPort,
    errorLogFile,
    dir,
    close: async () => {
      await managed.stop();
      await rm(dir, { recursive: true, force: true });
    },
  });
}
