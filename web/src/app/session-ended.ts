import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { type Location, useLocation, useNavigate } from 'react-router';

/**
 * Every tab of the viewer in a browser shares one session cookie, so a session that ends in one tab
 * (signed out, or a request answered UNAUTHORIZED) has ended in all of them. Without a word, the
 * others kept the log on screen until their next request: on a shared till PC, for the next person.
 */
const channel = typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel('modula-session');
const ENDED = 'session-ended';

/** Tells the other tabs of this browser that the session has ended (a channel never hears its own messages). */
export function announceSessionEnded(): void {
  channel?.postMessage(ENDED);
}

/** The sign-in screen, coming back afterwards to the view shown (not the plain log). */
export function signInPathFrom(location: Pick<Location, 'pathname' | 'search'>): string {
  const next = `${location.pathname}${location.search}`;
  return next === '/' ? '/sign-in' : `/sign-in?next=${encodeURIComponent(next)}`;
}

/** When another tab says the session ended: forget every cached answer and go to the sign-in screen. */
export function useSessionEndedElsewhere(): void {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const location = useLocation();
  useEffect(() => {
    if (!channel) return;
    const onMessage = (message: MessageEvent) => {
      if (message.data !== ENDED) return;
      queryClient.clear();
      void navigate(signInPathFrom(location), { replace: true });
    };
    channel.addEventListener('message', onMessage);
    return () => channel.removeEventListener('message', onMessage);
  }, [queryClient, navigate, location]);
}
