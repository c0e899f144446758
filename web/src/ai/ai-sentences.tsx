import type { TAiActionView } from '@modula/contracts';
import { UserSentence, UserText, userTextSlot } from '../common/user-text.tsx';
import type { TTranslate } from '../i18n/english.ts';
import { EventSentence } from '../log/event-sentence.tsx';
import { decisionText, sentenceEvent } from './ai-text.ts';

/** What the AI did (whatText on screen): its own words, or the log's sentence with the names isolated in it. */
export function WhatSentence({ item }: { item: TAiActionView }) {
  return item.ai.summary === null ? <EventSentence event={sentenceEvent(item)} /> : <UserText value={item.ai.summary} />;
}

/** Who decided (decisionText on screen), the person's name isolated. */
export function DecisionSentence({ item, t }: { item: TAiActionView; t: TTranslate }) {
  const values: string[] = [];
  const text = decisionText(item, t, (sent) => userTextSlot(values.push(sent) - 1));
  return <UserSentence text={text} values={values} />;
}
