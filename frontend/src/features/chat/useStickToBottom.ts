import { type RefObject, useLayoutEffect, useRef } from 'react';

/** Pixels from the bottom that still count as "reading the end". */
const NEAR_BOTTOM = 48;

/** Keeps a scrolled box at its end while content grows (a reply streaming in), unless the
 * reader has scrolled up to read something earlier. */
export function useStickToBottom(box: RefObject<HTMLElement | null>, content: unknown): void {
  const pinned = useRef(true);

  useLayoutEffect(() => {
    const element = box.current;
    if (!element) return undefined;
    const onScroll = () => {
      pinned.current = element.scrollHeight - element.scrollTop - element.clientHeight < NEAR_BOTTOM;
    };
    element.addEventListener('scroll', onScroll, { passive: true });
    return () => element.removeEventListener('scroll', onScroll);
  }, [box]);

  useLayoutEffect(() => {
    const element = box.current;
    if (element && pinned.current) element.scrollTop = element.scrollHeight;
  }, [box, content]);
}
