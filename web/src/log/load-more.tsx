import { Button, Center, Text } from '@mantine/core';
import { useEffect, useRef } from 'react';

/** How far below the viewport the next page starts loading, in pixels. */
const AHEAD = 400;

/**
 * The end of the loaded rows: fetches the next page when it scrolls into view, and offers a
 * button for the keyboard (and for browsers without IntersectionObserver).
 *
 * The observer is created anew whenever a page has finished loading: its first report then
 * measures where the sentinel is *after* the new rows were laid out. Keeping one observer and
 * re-reading its last entry would see the sentinel "visible" from before the rows arrived and load
 * page after page. The sentinel is no scroll anchor, so the browser does not keep it in view as
 * rows are added above it.
 */
export function LoadMore({ hasMore, loading, onLoad, loadedCount }: { hasMore: boolean; loading: boolean; onLoad: () => void; loadedCount: number }) {
  const sentinel = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = sentinel.current;
    if (!el || !hasMore || loading || typeof IntersectionObserver === 'undefined') return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) onLoad();
      },
      { rootMargin: `${AHEAD}px` },
    );
    observer.observe(el);
    return () => observer.disconnect();
  }, [hasMore, loading, onLoad, loadedCount]);
  return (
    <Center ref={sentinel} py="md" data-testid="load-more" style={{ overflowAnchor: 'none' }}>
      {hasMore ? (
        <Button variant="default" loading={loading} onClick={onLoad}>
          Load more
        </Button>
      ) : (
        <Text size="sm" c="dimmed">
          {loadedCount === 1 ? 'The one matching event is shown.' : `All ${loadedCount.toLocaleString('en')} matching events are shown.`}
        </Text>
      )}
    </Center>
  );
}
