import { Button, Menu } from '@mantine/core';
import type { TMeOutput } from '@modula/contracts';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { DisplayMenuItems } from '../i18n/display-menu.tsx';
import { PasswordChangeDialog } from './password-change-dialog.tsx';

/** A small chevron, inline SVG, marking a button as a menu (the account's, the header's Connections). */
export function Chevron() {
  return (
    <svg
      width={12}
      height={12}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth={2}
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      <path d="m6 9 6 6 6-6" />
    </svg>
  );
}

/** The signed-in user's menu in the header: who they are, their own password change, their language and time zone. */
export function AccountMenu({ me }: { me: TMeOutput }) {
  const { t } = useTranslation();
  const [changing, setChanging] = useState(false);
  return (
    <>
      <Menu position="bottom-end" withArrow>
        <Menu.Target>
          <Button variant="subtle" color="gray" size="xs" rightSection={<Chevron />} maw={240}>
            {me.name ?? me.email}
          </Button>
        </Menu.Target>
        <Menu.Dropdown>
          <Menu.Label>{me.email}</Menu.Label>
          <Menu.Item onClick={() => setChanging(true)}>{t('app.changePassword')}</Menu.Item>
          <DisplayMenuItems tenantZone={me.tenantTimeZone} />
        </Menu.Dropdown>
      </Menu>
      <PasswordChangeDialog opened={changing} onClose={() => setChanging(false)} />
    </>
  );
}

/** The same dialog behind a plain button, where there is no header (the "no access" screen of Managers and Cashiers). */
export function PasswordChangeButton() {
  const { t } = useTranslation();
  const [changing, setChanging] = useState(false);
  return (
    <>
      <Button variant="default" onClick={() => setChanging(true)}>
        {t('app.changePassword')}
      </Button>
      <PasswordChangeDialog opened={changing} onClose={() => setChanging(false)} />
    </>
  );
}
