/**
 * A web address as a teacher types it (a start page, a link for the class):
 * the address when it is one (http or https, with a host), null when not. A
 * bare "example.com/page" gets https:// in front.
 */
export function webAddressOf(typed: string): string | null {
  const text = typed.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:/i.test(text) ? text : `https://${text}`;
  try {
    const url = new URL(withScheme);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '' ? url.href : null;
  } catch {
    return null;
  }
}
