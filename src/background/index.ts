/**
 * The background's composition root: listeners are registered synchronously
 * at the top level (a restarted service worker must find them before the
 * event that woke it is dispatched). Storage changes, the wake-up alarm and
 * navigations feed the rules flow; the class feed subscribes to the flow's
 * passes (feed/listeners.ts); managed storage feeds the policy cache, whose
 * change reaches the flow as any other input.
 */
import { KEYS } from '../core/state';
import { onAlarm, onAnyAlarm } from '../platform/alarms';
import { onInstalledOrStartup, onMessage } from '../platform/runtime';
import { onLocalChange, onManagedChange } from '../platform/storage';
import { onNavigation, onTabCreated } from '../platform/tabs';
import { askHostOnJump, onClockJump, trustedNow } from './clock';
import { pollFeeds } from './feed/follow';
import { onNavigationStart, registerFeed } from './feed/listeners';
import { FLOW_INPUT_KEYS } from './rules/inputs';
import { WAKE_ALARM, checkNavigation, ensureCurrent, inputsChanged, onFlowPass, refresh } from './rules/flow';
import { followLesson, tabCreated, tabNavigated } from './rules/tabs';
import { handleMessage } from './handlers';
import { managedPolicyChanged, policyCacheChanged, syncManagedPolicy, watchManagedPolicy } from './policy/source';

// One listener for every input of the flow: a write of the policy cache and
// its status together is one change, and one flow pass.
// The cached policy is IT's, read from managed storage: whenever it changes other than by the
// policy source's own write (from an extension page's console, say), managed storage is read
// again once the flow holds the change, and the source puts IT's policy back if it differs.
onLocalChange(FLOW_INPUT_KEYS, (changed) => {
  const taken = inputsChanged(Object.keys(changed), changed);
  if (KEYS.policyCache in changed) void taken.then(() => policyCacheChanged(changed[KEYS.policyCache]));
});
onManagedChange((changes) => void managedPolicyChanged(changes));
watchManagedPolicy(() => void syncManagedPolicy());
onAlarm(WAKE_ALARM, () => void refresh());
// Time only moves forward (background/clock.ts): every alarm reads the clock, so a
// jump is noticed within the feed's poll period; when the clock jumped ahead, the
// feed host is asked for its time; when the time acted on moved, the rules follow.
onAnyAlarm(() => void trustedNow());
askHostOnJump(() => pollFeeds());
onClockJump(() => void refresh());
// Listened to so that the browser starts the service worker when it starts
// (and after an install), and the policy is read then rather than at the
// first navigation. The work itself is the top-level code below, which runs
// on every start.
onInstalledOrStartup(() => undefined);
// The tab limit: the guard follows the lesson in force; every new tab is judged by it (rules/tabs.ts).
onFlowPass((current) => void followLesson(current));
onTabCreated((tab) => void tabCreated(tab));
onNavigation(
  (navigation) => {
    void checkNavigation(navigation.tabId, navigation.url, navigation.frame, navigation.frameId);
    void tabNavigated(navigation.tabId, navigation.url, navigation.frame);
  },
  () => {
    void trustedNow().then(ensureCurrent);
    onNavigationStart();
  },
);
onMessage((message, sender) => handleMessage(message, sender));
registerFeed();

// Every start of the service worker (install, browser start, woken by an
// event) runs the flow at once with the cached policy — its first pass
// starts the class feed too — and reads managed storage, which may take
// seconds to answer.
void trustedNow().then(ensureCurrent);
void syncManagedPolicy();
