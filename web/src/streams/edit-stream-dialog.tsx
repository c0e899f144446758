import { Modal } from '@mantine/core';
import type { TStreamView } from '@modula/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useTRPC } from '../app/trpc.ts';
import { StreamForm } from './stream-form.tsx';
import { streamDraftOf, streamUpdateInput, type TStreamDraft } from './stream-input.ts';

/**
 * Changes a log stream's name and target settings through streams.update. The kind is shown, not
 * chosen; the credential field starts empty and left so keeps the current one. What the service
 * refuses (a Splunk or Datadog stream moved to another host without its credential, a name taken,
 * a stream someone else changed since the dialog opened) is said in the dialog and the form keeps
 * what was typed.
 */
export function EditStreamDialog({ stream, onClose }: { stream: TStreamView | null; onClose: () => void }) {
  const { t } = useTranslation();
  return (
    <Modal opened={stream !== null} onClose={onClose} size="lg" title={t('streams.editTitle')} closeButtonProps={{ 'aria-label': t('streams.close') }}>
      {/* keyed: each stream opened starts from its own settings, never from another's draft */}
      {stream && <EditStreamForm key={stream.id} stream={stream} onDone={onClose} />}
    </Modal>
  );
}

function EditStreamForm({ stream, onDone }: { stream: TStreamView; onDone: () => void }) {
  const { t } = useTranslation();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const update = useMutation(
    trpc.streams.update.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.streams.list.queryKey() }) }),
  );
  // the stream as it was when the dialog opened: the list's refresh never overwrites what is typed
  const [draft, setDraft] = useState<TStreamDraft>(() => streamDraftOf(stream));
  // the version the draft starts from: a change by someone else since is refused, not overwritten
  const [openedAt] = useState(stream.updatedAt);
  const input = streamUpdateInput(stream, draft);
  const changed = Object.keys(input).length > 1;
  return (
    <StreamForm
      draft={draft}
      onChange={(next) => setDraft((d) => ({ ...d, ...next }))}
      refusal={update.isError ? { title: t('streams.notSaved'), error: update.error, testId: 'stream-edit-error' } : null}
      submit={{ label: t('streams.saveButton'), pending: update.isPending, disabled: !draft.name.trim() || !changed }}
      onCancel={onDone}
      onSubmit={() => update.mutate({ ...input, expectedUpdatedAt: openedAt }, { onSuccess: onDone })}
    />
  );
}
