/**
 * How every UI page talks to the background: the typed channel of
 * ./channel over runtime messaging. Page entries import this; components
 * take a Connector (from ./channel) so tests can give them a fake.
 */
import { sendToBackground } from '../../platform/runtime';
import { connectorOver } from './channel';

export const backgroundConnector = connectorOver(sendToBackground);
