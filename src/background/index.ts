/**
 * The background's composition root: listeners are registered synchronously
 * at the top level (a restarted service worker must find them before the
 * event that woke it is dispatched), and each one re-runs the rules flow.
 */
import { RULE_INPUT_KEYS } from '../core/state';
import { onWake } from '../platform/alarms';
import { onInstalledOrStartup, onMessage } from '../platform/runtime';
import { onLocalChange, onManagedChange } from '../platform/storage';
import { onNavigation } from '../platform/tabs';
import { checkNavigation, ensureCurrent, refresh } from './flow';
import { handleMessage } from './handlers';
import { syncManagedPolicy } from './policy-source';

onLocalChange(RULE_INPUT_KEYS, () => void refresh());
onManagedChange(() => void syncManagedPolicy(Date.now()));
onWake(() => void refresh());
onInstalledOrStartup(() => void syncManagedPolicy(Date.now()));
onNavigation(
  (navigation) => void checkNavigation(navigation.tabId, navigation.url, navigation.frame),
  () => void ensureCurrent(Date.now()),
);
onMessage((message, sender) => handleMessage(message, sender));

// Every start of the service worker (install, browser start, woken by an event) re-runs the flow.
void refresh();
void syncManagedPolicy(Date.now());
