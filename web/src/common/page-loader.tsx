import { Center, Loader } from '@mantine/core';

/** A whole screen waiting for its first answer. */
export function PageLoader({ label }: { label: string }) {
  return (
    <Center mih="60vh" role="status" aria-live="polite">
      <Loader aria-label={label} />
    </Center>
  );
}
