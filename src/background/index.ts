/**
 * The background's composition root: listeners are registered synchronously
 * at the top level (a restarted service worker must find them before the
 * event that woke it is dispatched), and each one re-runs the rules flow.
 */
import { KEYS, RULE_INPUT_KEYS } from '../core/state';
import { onAlarm } from '../platform/alarms';
import { onInstalledOrStartup, onMessage } from '../platform/runtime';
import { onLocalChange, onManagedChange } from '../platform/storage';
import { onNavigation } from '../platform/tabs';
import { onNavigationStart, registerFeed, startFeed } from './feed/listeners';
import { WAKE_ALARM, checkNavigation, ensureCurrent, refresh } from './rules/flow';
import { handleMessage } from './handlers';
import { syncManagedPolicy, watchManagedPolicy } from './policy/source';

// The policy status is no rule input, but the status page shows it from the
// flow's result (`Current`): one listener for both, so a write of the cache
// and the status together re-runs the flow once.
onLocalChange([...RULE_INPUT_KEYS, KEYS.policyStatus], () => void refresh());
onManagedChange(() => void syncManagedPolicy());
watchManagedPolicy(() => void syncManagedPolicy());
onAlarm(WAKE_ALARM, () => void refresh());
// Listened to so that the browser starts the service worker when it starts
// (and after an install), and the policy is read then rather than at the
// first navigation. The work itself is the top-level code below, which runs
// on every start.
onInstalledOrStartup(() => undefined);
onNavigation(
  (navigation) => void checkNavigation(navigation.tabId, navigation.url, navigation.frame),
  () => {
    void ensureCurrent(Date.now());
    onNavigationStart();
  },
);
onMessage((message, sender) => handleMessage(message, sender));
registerFeed();

// Every start of the service worker (install, browser start, woken by an
// event) re-runs the flow at once with the cached policy, and reads managed
// storage, which may take seconds to answer.
void refresh();
void syncManagedPolicy();
void startFeed();
