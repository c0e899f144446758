import { defaultRangeExtractor, useWindowVirtualizer, type Range } from '@tanstack/react-virtual';
import { useCallback, useLayoutEffect, useRef, useState } from 'react';

/**
 * Rows kept in the page above and below the viewport: a fast scroll shows no blanks, and at the top
 * the whole first page (50) is there, for the browser's find-in-page too. About 120 rows at most.
 */
const OVERSCAN = 50;

/**
 * Which of `count` rows of a table in the page's own scroll (the window) to render: those near the
 * viewport, plus the one holding the keyboard focus (a focused row that scrolled away stays, so Tab
 * goes on from it), with the height of the rows left out before each one rendered (`gap`) and after the last (`after`). Rows are
 * measured as rendered (`measure`, on an element with `data-index`); `estimate` is the height of
 * a row not yet seen.
 */
export function useWindowRows(count: number, estimate: number) {
  const tableRef = useRef<HTMLTableElement>(null);
  const [scrollMargin, setScrollMargin] = useState(0);
  const [focused, setFocused] = useState<number | null>(null);
  const rangeExtractor = useCallback(
    (range: Range) => {
      const indexes = defaultRangeExtractor(range);
      if (focused === null || focused >= range.count || indexes.includes(focused)) return indexes;
      return [...indexes, focused].sort((a, b) => a - b);
    },
    [focused],
  );
  const virtualizer = useWindowVirtualizer<HTMLTableSectionElement>({
    count,
    estimateSize: () => estimate,
    overscan: OVERSCAN,
    scrollMargin,
    rangeExtractor,
  });
  // where the table starts in the page: what is above it (filters, a timeline) may change height
  useLayoutEffect(() => {
    const table = tableRef.current;
    if (!table) return;
    const top = Math.round(table.getBoundingClientRect().top + window.scrollY);
    if (Math.abs(top - scrollMargin) > 1) setScrollMargin(top);
  });
  // positions are in the page (they include scrollMargin); `gap` is the height of the rows left out
  // before each rendered one (the focused row may stand far from the others)
  let end = scrollMargin;
  const items = virtualizer.getVirtualItems().map((item) => {
    const gap = item.start - end;
    end = item.end;
    return { index: item.index, gap };
  });
  return {
    tableRef,
    items,
    measure: virtualizer.measureElement,
    holdFocus: setFocused,
    after: Math.max(virtualizer.getTotalSize() - (end - scrollMargin), 0),
  };
}
