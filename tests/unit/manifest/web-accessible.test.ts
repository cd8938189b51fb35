// What a web page can load of Lesmodus: only the blocked page (the browser's rules redirect
// blocked pages and frames to it), never more. Every extra resource lets any site probe for
// Lesmodus at a fixed address; the blocked page's own icon and script load from the extension.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';

const base = JSON.parse(readFileSync(join(__dirname, '../../../manifest/base.json'), 'utf8')) as {
  web_accessible_resources: Array<{ resources: string[]; matches: string[] }>;
};

describe('web-accessible resources', () => {
  const exposed = base.web_accessible_resources.flatMap((entry) => entry.resources);

  it('expose the blocked page and what it needs to render inside a web page frame, nothing more', () => {
    expect([...exposed].sort()).toEqual(['blocked.html', 'blocked.js', 'ui.css']);
  });

  it('expose no icon, image or wildcard a site could use to detect Lesmodus', () => {
    expect(exposed.filter((resource) => resource.includes('*') || /\.(png|svg|jpe?g|gif|ico)$/.test(resource))).toEqual([]);
  });
});
