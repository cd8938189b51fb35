import { useLayoutEffect, useRef } from 'preact/hooks';

/**
 * A ref that focuses its element when it first appears. The `autofocus`
 * attribute is not enough: browsers honour it once per page, and the popup
 * swaps its screens without loading a new page.
 */
export function useFocusOnMount<T extends HTMLElement>(enabled = true) {
  const ref = useRef<T>(null);
  // A layout effect: the focus moves in the same frame as the new screen appears.
  useLayoutEffect(() => {
    if (enabled) ref.current?.focus();
  }, [enabled]);
  return ref;
}
