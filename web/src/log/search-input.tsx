import { TextInput } from '@mantine/core';
import { useDebouncedCallback } from '@mantine/hooks';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { searchTermProblem } from './search-term.ts';

/**
 * Free-text search over description, target label and actor name; sent once typing pauses. A term
 * shorter than 3 characters is not sent (the service refuses it): the field says so instead.
 */
export function SearchInput({ value, onChange }: { value: string; onChange: (search: string) => void }) {
  const { t: tr } = useTranslation();
  const [text, setText] = useState(value);
  const commit = useDebouncedCallback((next: string) => {
    if (searchTermProblem(next) === null) onChange(next.trim());
  }, 400);
  // the URL changed on its own (back button, a link): show what it says
  useEffect(() => setText((t) => (t.trim() === value ? t : value)), [value]);
  return (
    <TextInput
      label={tr('filters.search')}
      type="search"
      placeholder={tr('filters.searchHint')}
      value={text}
      error={searchTermProblem(text)}
      onChange={(e) => {
        setText(e.currentTarget.value);
        commit(e.currentTarget.value);
      }}
      onKeyDown={(e) => {
        if (e.key === 'Enter') commit.flush();
      }}
    />
  );
}
