import type { Page } from 'playwright-core';
import { seriousAxeViolations, type TAxeViolation } from './browser.ts';

/**
 * axe-core's serious and critical findings, screen by screen, for a test that walks the viewer:
 * `check` runs axe on the page as it is and keeps the answer under the screen's name and width;
 * `failures` lists what failed, one readable line per screen, rule and element; `table` is the
 * per-screen summary printed by the test (and copied into the README).
 */
export class AxeReport {
  private readonly results = new Map<string, Map<string, TAxeViolation[]>>();

  async check(page: Page, screen: string, width: string): Promise<TAxeViolation[]> {
    // a dialog or popover fading in is measured once it is opaque: mid-transition its colors are washed out
    await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'));
    const found = await seriousAxeViolations(page);
    const byWidth = this.results.get(screen) ?? new Map<string, TAxeViolation[]>();
    byWidth.set(width, found);
    this.results.set(screen, byWidth);
    return found;
  }

  /** One line per failed rule: "export dialog @ 390 px: color-contrast (serious) on 3 elements: .x, .y". */
  failures(): string[] {
    const lines: string[] = [];
    for (const [screen, byWidth] of this.results)
      for (const [width, found] of byWidth)
        for (const v of found)
          lines.push(`${screen} @ ${width}: ${v.id} (${v.impact}) on ${v.nodes} element(s): ${v.targets.join(', ')}${v.why ? ` — ${v.why}` : ''}`);
    return lines;
  }

  /** A Markdown table: screen, then the count of serious/critical rules failed at each width. */
  table(widths: string[]): string {
    const head = `| screen | ${widths.join(' | ')} |\n|---|${widths.map(() => '---|').join('')}`;
    const body = [...this.results].map(([screen, byWidth]) => {
      const cells = widths.map((w) => {
        const found = byWidth.get(w);
        if (!found) return 'not run';
        return found.length === 0 ? '0' : found.map((v) => `${v.id} ×${v.nodes}`).join(', ');
      });
      return `| ${screen} | ${cells.join(' | ')} |`;
    });
    return [head, ...body].join('\n');
  }
}
