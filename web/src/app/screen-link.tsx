import { Button } from '@mantine/core';
import { Link, useMatch } from 'react-router';

/** A link in the header to one of the screens; the current one is marked (also for screen readers). */
export function ScreenLink({ to, label, end = false }: { to: string; label: string; end?: boolean }) {
  const current = useMatch({ path: to, end }) !== null;
  return (
    <Button component={Link} to={to} size="xs" variant={current ? 'light' : 'subtle'} aria-current={current ? 'page' : undefined}>
      {label}
    </Button>
  );
}
