import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { PolicySchema } from '../../../src/core/policy/policy';
import { REFERENCE_PATH, REGENERATE, renderFieldTables, renderPolicyReference, undocumentedFields } from '../../../src/tools/policy-reference';

const ROOT = join(__dirname, '../../..');

/** The table row of one field path in rendered Markdown, split into its cells. */
function row(markdown: string, path: string): string[] {
  const line = markdown.split('\n').find((candidate) => candidate.startsWith(`| \`${path}\` |`));
  if (line === undefined) throw new Error(`no row for ${path} in:\n${markdown}`);
  return line
    .slice(2, -2)
    .split(/(?<!\\)\|/)
    .map((cellText) => cellText.trim());
}

describe('the committed policy reference', () => {
  it('is what the policy schema renders', () => {
    const committed = readFileSync(join(ROOT, REFERENCE_PATH), 'utf8');
    const rendered = renderPolicyReference();
    if (committed !== rendered) {
      throw new Error(`${REFERENCE_PATH} differs from the policy schema in src/core/policy/policy.ts: run \`${REGENERATE}\` and commit the result.`);
    }
  });

  it('has a description for every policy field', () => {
    expect(undocumentedFields(PolicySchema)).toEqual([]);
  });

  it('lists every top-level field of the policy', () => {
    const rendered = renderPolicyReference();
    for (const field of Object.keys(PolicySchema.shape)) expect(row(rendered, field)[0]).toBe(`\`${field}\``);
  });
});

describe('renderFieldTables', () => {
  const schema = z.object({
    title: z.string().min(1).max(120).describe('A title.'),
    minutes: z.number().int().min(5).max(1440).default(240).describe('How long.'),
    mode: z.enum(['allowlist', 'blocklist']).default('allowlist').describe('Which kind.'),
    on: z.boolean().optional().describe('Whether on.'),
    ids: z.array(z.string().regex(/^[a-z]+$/)).max(50).default([]).describe('Ids.'),
    time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/).describe('A time.'),
    secret: z.string().meta({ sensitiveValue: true }).optional().describe('A token.'),
    items: z
      .array(
        z
          .object({
            id: z.string().describe('The id.'),
            kind: z.literal('EC').describe('Always "EC".'),
            note: z.string().optional().describe('A note.'),
          })
          .describe('One item.'),
      )
      .default([])
      .describe('The items.'),
    feed: z.object({ url: z.string().describe('Where.') }).optional().describe('The feed.'),
  });
  const rendered = renderFieldTables(schema);

  it.each([
    // path, type, default, limits, meaning
    ['title', '`string`', 'required', '1 to 120 characters', 'A title.'],
    ['minutes', '`integer`', '`240`', '5 to 1,440', 'How long.'],
    ['mode', '`"allowlist" \\| "blocklist"`', '`"allowlist"`', '', 'Which kind.'],
    ['on', '`boolean`', '—', '', 'Whether on.'],
    ['ids', '`string[]`', '`[]`', 'at most 50 entries; each: matches `^[a-z]+$`', 'Ids.'],
    ['time', '`string`', 'required', 'matches `^([01]\\d\\|2[0-3]):[0-5]\\d$`', 'A time.'],
    ['secret', '`string`', '—', 'masked on chrome://policy', 'A token.'],
    ['items', '`object[]` ([fields](#items))', '`[]`', '', 'The items.'],
    ['items[].id', '`string`', 'required', '', 'The id.'],
    ['items[].kind', '`"EC"`', 'required', '', 'Always "EC".'],
    ['items[].note', '`string`', '—', '', 'A note.'],
    ['feed', '`object` ([fields](#feed))', '—', '', 'The feed.'],
    ['feed.url', '`string`', 'required', '', 'Where.'],
  ])('renders %s', (path, type, defaultValue, limits, meaning) => {
    expect(row(rendered, path)).toEqual([`\`${path}\``, type, defaultValue, limits, meaning]);
  });

  it('gives each object shape its own table, with what one entry is when that says more than the field', () => {
    expect(rendered).toContain('### items[]\n\nOne item.\n\n| field |');
    expect(rendered).toContain('### feed\n\n| field |');
  });

  it('shows the default of a field whose value is transformed', () => {
    const transformed = z.object({ dates: z.array(z.string().transform((text) => text.trim())).default([]).describe('Dates.') });
    expect(row(renderFieldTables(transformed), 'dates')[2]).toBe('`[]`');
  });

  it('renders each object form of a union, under the union\'s path', () => {
    const union = z.object({
      dates: z
        .array(z.union([z.string(), z.object({ from: z.string().describe('First day.') })]).describe('A date or a range.'))
        .describe('Dates.'),
    });
    const tables = renderFieldTables(union);
    expect(row(tables, 'dates')[1]).toBe('`(string or object)[]` ([fields](#dates))');
    expect(tables).toContain('### dates[]\n\nA date or a range.\n\n');
    expect(row(tables, 'dates[].from')[3]).toBe('');
  });

  it('fails, naming every field without a description and where to add it', () => {
    const undocumented = z.object({
      blocked: z.array(z.string()).default([]),
      classFeed: z.object({ url: z.string().describe('Where.'), token: z.string().optional() }).describe('The feed.'),
    });
    expect(undocumentedFields(undocumented)).toEqual(['blocked', 'classFeed.token']);
    expect(() => renderFieldTables(undocumented)).toThrow('policy fields without a description: blocked, classFeed.token. Add .describe() to them in src/core/policy/policy.ts');
  });

  it('keeps a description with a pipe or a line break in one table cell', () => {
    const awkward = z.object({ mode: z.string().describe('"a" | "b",\nor nothing.') });
    expect(row(renderFieldTables(awkward), 'mode')[4]).toBe('"a" \\| "b", or nothing.');
  });
});
