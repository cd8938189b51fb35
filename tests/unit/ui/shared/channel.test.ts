import { describe, expect, it } from '@jest/globals';
import { BackgroundError, connectorOver } from '../../../../src/ui/shared/channel';

describe('connectorOver', () => {
  it('unwraps a successful reply', async () => {
    const connector = connectorOver(async () => ({ ok: true, value: null }));
    await expect(connector.request({ type: 'lock', token: 'x'.repeat(16) })).resolves.toBeNull();
  });

  it('turns a refusal into a BackgroundError with its code and wait', async () => {
    const connector = connectorOver(async () => ({ ok: false, code: 'rate-limited', error: 'wait', retryAt: 42 }));
    const error = await connector.request({ type: 'unlock', pin: '1' }).catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(BackgroundError);
    expect(error).toMatchObject({ code: 'rate-limited', message: 'wait', retryAt: 42 });
  });

  it('reports a background that did not answer', async () => {
    const connector = connectorOver(async () => undefined);
    await expect(connector.request({ type: 'getStatus' })).rejects.toMatchObject({ code: 'internal' });
  });
});
