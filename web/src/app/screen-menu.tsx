import { Button, Menu } from '@mantine/core';
import { Link, matchPath, useLocation } from 'react-router';
import { Chevron } from '../account/account-menu.tsx';

/**
 * Screens of the header grouped behind one menu button, styled as a ScreenLink: the button is
 * marked while one of its screens is open, and that screen's item carries aria-current. Mantine's
 * Menu gives the keyboard (arrows, Escape, focus returned to the button) and closes on a choice.
 */
export function ScreenMenu({ label, items }: { label: string; items: readonly { to: string; label: string; end?: boolean }[] }) {
  const { pathname } = useLocation();
  const current = items.find(({ to, end = false }) => matchPath({ path: to, end }, pathname) !== null);
  return (
    <Menu position="bottom-start">
      <Menu.Target>
        <Button size="xs" px={8} style={{ flexShrink: 0 }} variant={current ? 'light' : 'subtle'} rightSection={<Chevron />}>
          {label}
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        {items.map((item) => (
          <Menu.Item key={item.to} component={Link} to={item.to} aria-current={item === current ? 'page' : undefined}>
            {item.label}
          </Menu.Item>
        ))}
      </Menu.Dropdown>
    </Menu>
  );
}
