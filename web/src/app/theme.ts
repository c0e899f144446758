import { Badge, type CSSVariablesResolver, createTheme, DEFAULT_THEME, Menu } from '@mantine/core';

export const theme = createTheme({
  primaryColor: 'indigo',
  // filled buttons and badges in shade 8: white on it reads at 4.5:1 or better (WCAG AA)
  primaryShade: { light: 8, dark: 8 },
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  fontFamilyMonospace: 'ui-monospace, "SF Mono", Menlo, Consolas, monospace',
  defaultRadius: 'sm',
  components: {
    // the viewer's badges carry facts ("Branch frozen", "synced 3 days late"): a table column
    // grows to show them whole instead of cutting them to "synced 3…"
    Badge: Badge.extend({ styles: { label: { overflow: 'visible' } } }),
    // an open menu focuses its first item (the ARIA menu pattern) instead of a focusable placeholder
    // that is neither an item nor a group, which a menu may not hold (axe: aria-required-children)
    Menu: Menu.extend({ defaultProps: { withInitialFocusPlaceholder: false } }),
  },
});

/** Shade 9 of a color, darkened further: text on a white or tinted background at 4.5:1 or better. */
const readable = (color: string) => `color-mix(in srgb, var(--mantine-color-${color}-9) 70%, black)`;

/**
 * Mantine's light-scheme text colors fall short of WCAG AA contrast: dimmed text (gray 6), links
 * (indigo 6), and the text of light, subtle and outline badges and buttons (shade 6 on a tint of the
 * same color). axe-core counted over 300 such nodes on the log page; these variables lift them all.
 */
export const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    '--mantine-color-dimmed': 'var(--mantine-color-gray-7)',
    '--mantine-color-anchor': 'var(--mantine-color-indigo-8)',
    '--mantine-primary-color-light-color': readable('indigo'),
    ...Object.fromEntries(
      Object.keys(DEFAULT_THEME.colors).flatMap((color) => [
        [`--mantine-color-${color}-light-color`, readable(color)],
        [`--mantine-color-${color}-outline`, readable(color)],
        [`--mantine-color-${color}-text`, readable(color)],
      ]),
    ),
  },
  dark: {},
});
