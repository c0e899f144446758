import { Button } from '@mantine/core';
import { Link, useMatch } from 'react-router';

/**
 * A link to one of the screens; the current one is marked (also for screen readers). `block`: a
 * full-width line of the phone's menu instead of a button of the header.
 */
export function ScreenLink({ to, label, end = false, block = false }: { to: string; label: string; end?: boolean; block?: boolean }) {
  const current = useMatch({ path: to, end }) !== null;
  return (
    <Button
      component={Link}
      to={to}
      size={block ? 'sm' : 'xs'}
      // the header holds six entries beside the chain badge at 1440 px: narrow padding keeps them in one line
      px={block ? undefined : 8}
      style={block ? undefined : { flexShrink: 0 }}
      fullWidth={block}
      justify={block ? 'flex-start' : undefined}
      variant={current ? 'light' : 'subtle'}
      aria-current={current ? 'page' : undefined}
    >
      {label}
    </Button>
  );
}
