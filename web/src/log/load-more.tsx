import { Anchor, Button, Center, Group, Loader, Text } from '@mantine/core';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { formatNumber } from '../common/format-time.ts';
import './load-more.css';

/** How far below the viewport the next page starts loading, in pixels. */
const AHEAD = 400;

/** The id of the end of the loaded rows, which the skip link moves the focus to. */
export const LOG_END_ID = 'log-end';

/**
 * The end of the loaded rows: fetches the next page when it scrolls into view, and offers a
 * button for the keyboard (and for browsers without IntersectionObserver).
 *
 * The observer is created anew whenever a page has finished loading: its first report then
 * measures where the sentinel is *after* the new rows were laid out. Keeping one observer and
 * re-reading its last entry would see the sentinel "visible" from before the rows arrived and load
 * page after page. The sentinel is no scroll anchor, so the browser does not keep it in view as
 * rows are added above it. A sentinel that came into view because the focus moved into it (the
 * skip link, Tab) loads nothing: the keyboard user decides with the button.
 */
export function LoadMore({ hasMore, loading, onLoad, loadedCount }: { hasMore: boolean; loading: boolean; onLoad: () => void; loadedCount: number }) {
  const { t } = useTranslation();
  const sentinel = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = sentinel.current;
    if (!el || !hasMore || loading || typeof IntersectionObserver === 'undefined') return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (el.contains(document.activeElement)) return;
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
        <Group gap="sm">
          {/* not `loading`, which disables the button: a disabled button drops the keyboard's focus */}
          <Button id={LOG_END_ID} variant="default" aria-busy={loading} rightSection={loading ? <Loader size={14} /> : undefined} onClick={onLoad}>
            {t('log.loadMore')}
          </Button>
          <Text size="sm" c="dimmed" data-testid="loaded-count">
            {t('log.loaded', { n: formatNumber(loadedCount) })}
          </Text>
        </Group>
      ) : (
        <Text id={LOG_END_ID} tabIndex={-1} size="sm" c="dimmed">
          {t('log.allShown', { count: loadedCount, n: formatNumber(loadedCount) })}
        </Text>
      )}
    </Center>
  );
}

/**
 * The first stop of the keyboard in the list: straight to "Load more" (or the end of the list)
 * instead of tabbing through every row. It moves the focus only; loading stays the button's.
 */
export function SkipToLoadMore({ hasMore }: { hasMore: boolean }) {
  const { t } = useTranslation();
  return (
    <Anchor
      href={`#${LOG_END_ID}`}
      className="skip-link"
      size="sm"
      p="xs"
      onClick={(e) => {
        e.preventDefault();
        const end = document.getElementById(LOG_END_ID);
        end?.focus();
        end?.scrollIntoView({ block: 'center' });
      }}
    >
      {hasMore ? t('log.skipToLoadMore') : t('log.skipToEnd')}
    </Anchor>
  );
}
