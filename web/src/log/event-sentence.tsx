import type { TSentenceEvent } from '@modula/contracts';
import { useTranslation } from 'react-i18next';
import { UserSentence, userTextSlot } from '../common/user-text.tsx';
import { describeEvent } from '../i18n/event-sentence-es.ts';

/**
 * An event's sentence in the viewer's language, the actor's name and the target's label isolated
 * in it: the sentence is built with slots in their place, then the sent texts are put in.
 */
export function EventSentence({ event }: { event: TSentenceEvent }) {
  const { i18n } = useTranslation();
  const actor = event.actor.name ?? event.actor.id;
  const target = event.entity ? (event.entity.label ?? event.entity.id) : null;
  const values: string[] = [];
  const slot = (value: string) => userTextSlot(values.push(value) - 1);
  const slotted: TSentenceEvent = {
    ...event,
    actor: actor === null ? event.actor : { ...event.actor, name: slot(actor) },
    entity: event.entity && target !== null ? { ...event.entity, label: slot(target) } : event.entity,
  };
  return <UserSentence text={describeEvent(slotted, i18n.resolvedLanguage)} values={values} />;
}
