import { Badge, createTheme } from '@mantine/core';

export const theme = createTheme({
  primaryColor: 'indigo',
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  fontFamilyMonospace: 'ui-monospace, "SF Mono", Menlo, Consolas, monospace',
  defaultRadius: 'sm',
  components: {
    // the viewer's badges carry facts ("Branch frozen", "synced 3 days late"): a table column
    // grows to show them whole instead of cutting them to "synced 3…"
    Badge: Badge.extend({ styles: { label: { overflow: 'visible' } } }),
  },
});
