/**
 * Just enough Markdown reading to keep the docs honest: the anchors GitHub
 * gives a document's headings, and the relative links a document makes, so
 * that a test can say which link points nowhere. Pure: files are read by the
 * caller.
 */

/** Fenced code blocks (``` or ~~~) replaced by empty lines, so nothing inside them counts as a heading or a link. */
function withoutFences(markdown: string): string[] {
  const lines = markdown.split(/\r?\n/);
  let fence: string | null = null;
  return lines.map((line) => {
    const marker = /^\s{0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence === null && marker !== undefined) {
      fence = marker;
      return '';
    }
    if (fence !== null) {
      if (marker !== undefined && marker[0] === fence[0] && marker.length >= fence.length) fence = null;
      return '';
    }
    return line;
  });
}

/** Inline code spans removed (their text is not markup). */
function withoutCodeSpans(line: string): string {
  return line.replace(/(`+)[^`]*?\1/g, '');
}

/**
 * The anchor GitHub makes for a heading's text: markup dropped, lower case,
 * everything but letters, digits, spaces, "-" and "_" removed, spaces to "-".
 */
export function slug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // links and images keep their text
    .replace(/<[^>]+>/g, '') // inline HTML
    .replace(/[`*]/g, '') // code and emphasis markers
    .trim()
    .toLowerCase();
  return text.replace(/[^\p{L}\p{N}\p{M} _-]/gu, '').replace(/ /g, '-');
}

/** Every anchor a document offers: its headings' (numbered "-1", "-2" when repeated, as GitHub does) and explicit `<a id>`/`<a name>`. */
export function anchors(markdown: string): Set<string> {
  const found = new Set<string>();
  const counts = new Map<string, number>();
  for (const line of withoutFences(markdown)) {
    const heading = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
    if (heading !== undefined) {
      const base = slug(heading);
      const seen = counts.get(base) ?? 0;
      counts.set(base, seen + 1);
      found.add(seen === 0 ? base : `${base}-${seen}`);
    }
    for (const match of withoutCodeSpans(line).matchAll(/<a\s[^>]*\b(?:id|name)="([^"]+)"/g)) found.add(match[1]!);
  }
  return found;
}

export interface Link {
  /** 1-based line of the link in its document. */
  readonly line: number;
  /** The target as written, e.g. `docs/teachers.md#presets`. */
  readonly target: string;
  /** The file part, "" for a link within the same document. */
  readonly path: string;
  /** The anchor part without "#", or null. */
  readonly anchor: string | null;
}

/** The relative links of a document (inline, images and reference definitions); web addresses and mailto: are left out. */
export function relativeLinks(markdown: string): Link[] {
  const links: Link[] = [];
  withoutFences(markdown).forEach((raw, index) => {
    const line = withoutCodeSpans(raw);
    const targets = [
      ...[...line.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((match) => match[1]!),
      ...[...line.matchAll(/^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/g)].map((match) => match[1]!),
    ];
    for (const target of targets) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) continue;
      const hash = target.indexOf('#');
      const path = hash === -1 ? target : target.slice(0, hash);
      const anchor = hash === -1 ? null : decodeURIComponent(target.slice(hash + 1));
      links.push({ line: index + 1, target, path: decodeURIComponent(path), anchor });
    }
  });
  return links;
}

/** What a link checker needs to know about the files around a document. */
export interface LinkContext {
  /** Joins a path relative to the document's folder into one relative to the checkout. */
  resolve(from: string, path: string): string;
  exists(path: string): boolean;
  /** The Markdown text of a file, for its anchors. */
  read(path: string): string;
}

/** Every relative link of `documents` that points at no file, or at no anchor of a Markdown file, worded for a test failure. */
export function brokenLinks(documents: readonly string[], context: LinkContext): string[] {
  const problems: string[] = [];
  for (const document of documents) {
    for (const link of relativeLinks(context.read(document))) {
      const target = link.path === '' ? document : context.resolve(document, link.path);
      if (!context.exists(target)) {
        problems.push(`${document}:${link.line}: ${link.target} — no file ${target}`);
        continue;
      }
      if (link.anchor !== null && target.endsWith('.md') && !anchors(context.read(target)).has(link.anchor)) {
        problems.push(`${document}:${link.line}: ${link.target} — ${target} has no heading or anchor "${link.anchor}"`);
      }
    }
  }
  return problems;
}
