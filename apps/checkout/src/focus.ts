import { useEffect, useRef, useState } from 'react';

/**
 * Moves the keyboard (and screen-reader) focus to the returned element when it mounts, so a
 * customer hears the new step ("Processing your payment…", "Payment successful", …) and Tab
 * continues from there. The element should have tabIndex={-1}. `enabled` is read once, at
 * mount: the first screen of a freshly opened page keeps the browser's natural focus.
 */
export function useFocusOnMount<T extends HTMLElement>(enabled: boolean) {
  const ref = useRef<T>(null);
  const [atMount] = useState(enabled);
  useEffect(() => {
    if (atMount) ref.current?.focus();
  }, [atMount]);
  return ref;
}
