/** One value of a change as a PDF line shows it: JSON text (strings quoted), cut to `max` characters. */
function valueText(v: unknown, max: number): string {
  if (v === undefined) return '(none)';
  const text = JSON.stringify(v) ?? String(v);
  const chars = Array.from(text);
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : text;
}

/**
 * The before/after of an event as one line of text: each top-level key whose value changed,
 * `key: before -> after` ("(none)" where a side has no such key), in the order the keys first
 * appear, joined by "; ". Empty when neither side has values. The PDF shows it under the event (cut
 * to the line's width); the CSV carries both objects whole.
 */
export function changesText(before: Record<string, unknown> | null, after: Record<string, unknown> | null, maxValue = 60): string {
  if (!before && !after) return '';
  const keys = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])];
  const changed = keys.filter((k) => JSON.stringify(before?.[k]) !== JSON.stringify(after?.[k]));
  return changed.map((k) => `${k}: ${valueText(before?.[k], maxValue)} -> ${valueText(after?.[k], maxValue)}`).join('; ');
}
