import { Button, Center, Text } from '@mantine/core';
import { useIntersection } from '@mantine/hooks';
import { useEffect } from 'react';

/**
 * The end of the loaded rows: fetches the next page when it scrolls into view, and offers a
 * button for the keyboard (and for browsers without IntersectionObserver).
 */
export function LoadMore({ hasMore, loading, onLoad, loadedCount }: { hasMore: boolean; loading: boolean; onLoad: () => void; loadedCount: number }) {
  const { ref, entry } = useIntersection<HTMLDivElement>({ rootMargin: '400px' });
  const visible = entry?.isIntersecting ?? false;
  useEffect(() => {
    if (visible && hasMore && !loading) onLoad();
  }, [visible, hasMore, loading, onLoad, loadedCount]);
  return (
    <Center ref={ref} py="md" data-testid="load-more">
      {hasMore ? (
        <Button variant="default" loading={loading} onClick={onLoad}>Load more</Button>
      ) : (
        <Text size="sm" c="dimmed">{loadedCount === 1 ? 'The one matching event is shown.' : `All ${loadedCount.toLocaleString('en')} matching events are shown.`}</Text>
      )}
    </Center>
  );
}
