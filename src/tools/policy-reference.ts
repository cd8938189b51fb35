/**
 * `npm run docs`: writes docs/policy-reference.md, the policy reference for
 * IT, from the zod PolicySchema and its `.describe()` texts, so the reference
 * cannot drift from what the extension accepts. A unit test renders it again
 * and fails when the committed file differs.
 *
 *   npm run docs              write docs/policy-reference.md
 *   npm run docs -- --check   exit 1 when docs/policy-reference.md is out of date
 *
 * The schema is read through zod's JSON Schema export (as IT writes values:
 * `io: 'input'`), the same view managed-schema.ts turns into Chrome's
 * managed_schema.json. Every field must have a description: rendering fails,
 * naming the fields, when one has none.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { PolicySchema } from '../core/policy/policy';
import { slug } from './markdown';

type JsonSchema = Record<string, unknown>;

/** Where the generated reference lives, relative to the checkout. */
export const REFERENCE_PATH = 'docs/policy-reference.md';

/** The command that regenerates it. */
export const REGENERATE = 'npm run docs';

function isObject(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * zod leaves out the default of a field whose value is transformed (the
 * string forms of noLessonDates), since a default is an output value; IT still
 * gets it when the field is absent, so the reference shows it.
 */
function toJson(schema: z.ZodType): JsonSchema {
  return z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'throw',
    target: 'draft-2020-12',
    override: ({ zodSchema, jsonSchema }) => {
      const def = zodSchema._zod.def;
      if (def.type === 'default' && !('default' in jsonSchema)) (jsonSchema as JsonSchema).default = JSON.parse(JSON.stringify(def.defaultValue)) as unknown;
    },
  }) as JsonSchema;
}

/** A table cell: one line, pipes escaped. */
function cell(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|');
}

function code(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``;
}

function typeOf(node: JsonSchema, path: string): string {
  if (typeof node.$ref === 'string') throw new Error(`${path}: cannot render ${node.$ref}: inline the schema`);
  if (Array.isArray(node.anyOf)) return (node.anyOf as JsonSchema[]).map((branch) => typeOf(branch, path)).join(' or ');
  if ('const' in node) return JSON.stringify(node.const);
  if (Array.isArray(node.enum)) return node.enum.map((value) => JSON.stringify(value)).join(' | ');
  if (Array.isArray(node.type)) return node.type.join(' or ');
  if (node.type === 'array') {
    const item = isObject(node.items) ? typeOf(node.items, `${path}[]`) : 'any';
    return /\s/.test(item) ? `(${item})[]` : `${item}[]`;
  }
  if (typeof node.type !== 'string') throw new Error(`${path}: no type in ${JSON.stringify(node)}`);
  return node.type;
}

function plural(count: number, one: string, many: string): string {
  return `${count.toLocaleString('en')} ${count === 1 ? one : many}`;
}

function range(min: unknown, max: unknown, unit: (count: number) => string): string | null {
  const low = typeof min === 'number' ? min : undefined;
  const high = typeof max === 'number' ? max : undefined;
  if (low !== undefined && high !== undefined) return low === high ? `exactly ${unit(low)}` : `${low.toLocaleString('en')} to ${unit(high)}`;
  if (low !== undefined) return `at least ${unit(low)}`;
  if (high !== undefined) return `at most ${unit(high)}`;
  return null;
}

/** The limits a schema node declares, in words. */
function limitsOf(node: JsonSchema): string[] {
  const limits: string[] = [];
  const add = (limit: string | null): void => {
    if (limit !== null) limits.push(limit);
  };
  add(range(node.minLength, node.maxLength, (count) => plural(count, 'character', 'characters')));
  if (typeof node.pattern === 'string') limits.push(`matches ${code(node.pattern)}`);
  add(range(node.minimum, node.maximum, (count) => count.toLocaleString('en')));
  add(range(node.minItems, node.maxItems, (count) => plural(count, 'entry', 'entries')));
  if (node.type === 'array' && isObject(node.items) && node.items.type !== 'object' && !Array.isArray(node.items.anyOf)) {
    const each = limitsOf(node.items);
    if (each.length > 0) limits.push(`each: ${each.join(', ')}`);
  }
  if (node.sensitiveValue === true) limits.push('masked on chrome://policy');
  return limits;
}

interface Shape {
  readonly node: JsonSchema;
  readonly path: string;
  /** The shape's own description, else that of the list or union holding it. */
  readonly description: string | undefined;
}

function descriptionOf(node: JsonSchema): string | undefined {
  return typeof node.description === 'string' && node.description.trim() !== '' ? node.description : undefined;
}

/** The object shapes a field holds (itself, its items, the branches of a union), with their paths. */
function objectsIn(node: JsonSchema, path: string, outer?: string): Shape[] {
  const description = descriptionOf(node) ?? outer;
  if (Array.isArray(node.anyOf)) return (node.anyOf as JsonSchema[]).flatMap((branch) => objectsIn(branch, path, description));
  if (node.type === 'object' && isObject(node.properties)) return [{ node, path, description }];
  if (node.type === 'array' && isObject(node.items)) return objectsIn(node.items, `${path}[]`);
  return [];
}

interface Row {
  readonly path: string;
  readonly type: string;
  readonly default: string;
  readonly limits: readonly string[];
  readonly description: string | undefined;
}

interface Section {
  /** "" for the top level, else e.g. `presets[]` or `teacherKeys[].publicKey`. */
  readonly path: string;
  /** What one entry is, when that says more than the field's own description. */
  readonly description: string | undefined;
  readonly rows: readonly Row[];
}

/** The policy's fields, one section per object shape, top level first and nested shapes in the order they appear. */
function sections(schema: z.ZodType): Section[] {
  const out: Section[] = [];
  const visit = (shape: Shape): void => {
    const { node, path } = shape;
    const properties = node.properties as Record<string, JsonSchema>;
    const required = new Set(Array.isArray(node.required) ? (node.required as string[]) : []);
    const nested: Shape[] = [];
    const rows = Object.entries(properties).map(([name, child]): Row => {
      const childPath = path === '' ? name : `${path}.${name}`;
      const objects = objectsIn(child, childPath);
      // A field's own description is in its row already: the table of its fields need not repeat it.
      nested.push(...objects.map((object) => (object.description === descriptionOf(child) ? { ...object, description: undefined } : object)));
      const links = objects.map((object) => `[fields](#${slug(object.path)})`).join(', ');
      const type = code(typeOf(child, childPath));
      return {
        path: childPath,
        type: links === '' ? type : `${type} (${links})`,
        default: required.has(name) ? 'required' : 'default' in child ? code(JSON.stringify(child.default)) : '—',
        limits: limitsOf(child),
        description: descriptionOf(child),
      };
    });
    out.push({ path, description: shape.description, rows });
    for (const object of nested) visit(object);
  };
  const root = toJson(schema);
  if (root.type !== 'object' || !isObject(root.properties)) throw new Error('the policy schema must be an object with properties');
  visit({ node: root, path: '', description: undefined });
  return out;
}

/** Every field path (`presets[].id`) whose schema has no `.describe()` text. */
export function undocumentedFields(schema: z.ZodType = PolicySchema): string[] {
  return sections(schema).flatMap((section) => section.rows.filter((row) => row.description === undefined).map((row) => row.path));
}

function table(rows: readonly Row[]): string {
  const lines = ['| field | type | default | limits | meaning |', '|---|---|---|---|---|'];
  for (const row of rows) {
    lines.push(`| ${cell(code(row.path))} | ${cell(row.type)} | ${cell(row.default)} | ${cell(row.limits.join('; '))} | ${cell(row.description ?? '')} |`);
  }
  return lines.join('\n');
}

/**
 * The field tables of a policy schema, as Markdown: the top-level fields,
 * then a table for each object shape (a preset, a period, a key, …). Throws,
 * naming them, when a field has no description.
 */
export function renderFieldTables(schema: z.ZodType = PolicySchema): string {
  const undocumented = undocumentedFields(schema);
  if (undocumented.length > 0) {
    throw new Error(`policy fields without a description: ${undocumented.join(', ')}. Add .describe() to them in src/core/policy/policy.ts`);
  }
  return sections(schema)
    .map((section) => {
      if (section.path === '') return table(section.rows);
      const heading = `### ${section.path}`;
      return [heading, ...(section.description === undefined ? [] : [section.description]), table(section.rows)].join('\n\n');
    })
    .join('\n\n');
}

const INTRO = `# Policy reference

<!-- Generated by \`${REGENERATE}\` from src/core/policy/policy.ts. Do not edit by hand: change the .describe() texts there and run \`${REGENERATE}\`. -->

Lesmodus reads one JSON object from the browser's enterprise policy for
extensions. [IT deployment](it-deployment.md) says where each browser takes it
from; this page lists every field. Check a file before you push it:

\`\`\`sh
npm run policy -- check my-school.json
\`\`\`

This page is generated from the schema the extension itself validates with,
so it cannot fall behind. Its *limits* column shows what the schema declares
field by field; \`check\` and the extension also check what a table cannot
show: each site pattern's syntax, that \`schedule\` and \`outsideLessons\` name
a preset that exists, that ids are unique, that keys are points of P-256, and
that write tokens and private keys are not pushed to student devices.

## Site lists

Site lists use the syntax of Chrome's \`URLBlocklist\` and \`URLAllowlist\`:
\`[scheme://][.]host[:port][/path][?query]\`, and \`*\` for everything
(details and examples: [design, "Site patterns"](design.md#site-patterns)).
IT's \`blocked\` and \`allowed\` work together as Chrome's two lists do:
the more specific pattern wins (more host labels, then a host without
subdomains, then the longer path), and on a tie \`allowed\` wins — so "block
\`youtube.com\`, allow \`youtube.com/edu\`" works. A full address pasted
from the address bar keeps its path and query and drops \`user:pass@\` and
\`#fragment\`. A test runs Chromium's own published cases for this format
against Lesmodus. Where Lesmodus reads a pattern differently, it blocks more
than Chrome, never less, with one exception (the first):

1. Only web pages and frames (\`http\`, \`https\`) are judged: \`file:\`,
   \`chrome:\`, \`ftp:\` and other schemes in a list have no effect (\`check\`
   warns). Block those with the browser's own \`URLBlocklist\`.
2. A path in \`blocked\` is a plain prefix, as in Chrome
   (\`example.com/ruin\` also blocks \`/ruins\`); a path in \`allowed\` (and in
   lessons) covers whole segments only (\`example.com/maths\` allows
   \`/maths\` and \`/maths/…\`, not \`/mathsx\`).
3. A query condition in \`allowed\` (\`youtube.com/watch?v=abc\`) never lets
   through an address that repeats its key (\`?v=123&v=abc\`); when one of
   the repeated values fits, that address is blocked. A trailing \`*\` in a
   query condition (\`k=v*\`, \`k*\`) is a prefix, as in Chrome. A key
   alone in \`blocked\` (\`?v\`) also covers that key with a value.
4. \`blocked\` has no 1,000-entry limit; \`allowed\` is read to its 1,000th
   entry, as Chrome does.
5. An entry that cannot be read is not fatal: an unreadable \`blocked\` entry
   blocks the whole site it names (or is left out when it names none), an
   unreadable \`allowed\` or \`embeds\` entry is left out, and each gives a
   warning (\`check\`, and the status page's notes). \`allowed: ["*"]\` is
   accepted with a loud warning.
6. A pattern whose path the browser would read differently
   (\`school.nl//login\`, \`school.nl/login/..\`, \`school.nl/%2e%2e\`) is
   refused, with the form the browser would read.
7. Percent-encoded letters, digits and \`-._~\` are the same as the
   characters themselves, in patterns and addresses (\`/%66orbidden\` is
   \`/forbidden\`); Chrome compares them as written, so its
   \`example.com/forbidden\` does not block \`/%66orbidden\`. Neither reads
   \`%2F\` as a slash.

## Unknown fields

Unknown fields are ignored, so an older Lesmodus keeps working with a policy
written for a newer one. \`npm run policy -- check\` warns about them, since
they are usually typos. Chrome and Edge drop a value whose JSON type does not
fit the schema before Lesmodus sees it (it then shows only at
\`chrome://policy\`); \`check\` says when that would happen.

## Fields

Every field is optional; *default* is what applies when it is absent, and
*required* marks what an entry must contain.
`;

/** The whole of docs/policy-reference.md. */
export function renderPolicyReference(schema: z.ZodType = PolicySchema): string {
  return `${INTRO}\n${renderFieldTables(schema)}\n`;
}

function main(): void {
  const file = join(__dirname, '..', '..', REFERENCE_PATH);
  const rendered = renderPolicyReference();
  if (process.argv.includes('--check')) {
    let committed = '';
    try {
      committed = readFileSync(file, 'utf8');
    } catch {
      // Missing counts as out of date.
    }
    if (committed !== rendered) {
      console.error(`${REFERENCE_PATH} is out of date with the policy schema: run \`${REGENERATE}\`.`);
      process.exitCode = 1;
    }
  } else {
    writeFileSync(file, rendered);
    console.log(`Wrote ${REFERENCE_PATH}.`);
  }
}

if (require.main === module) {
  try {
    main();
  } catch (error) {
    console.error((error as Error).message);
    process.exitCode = 1;
  }
}
