import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Navigate, Outlet, useLocation } from 'react-router';
import { ErrorState } from '../common/error-state.tsx';
import { PageLoader } from '../common/page-loader.tsx';
import { AppLayout } from './app-layout.tsx';
import { NoAccess } from './no-access.tsx';
import { signInPathFrom, useSessionEndedElsewhere } from './session-ended.ts';
import { errorCodeOf, useTRPC } from './trpc.ts';

/**
 * The gate of every screen behind sign-in: no session → the sign-in screen (coming back here
 * afterwards, also when another tab of the browser says the session ended); a session of a Manager
 * or Cashier → "no access"; an Admin → the screens.
 */
export function RequireAdmin() {
  const { t } = useTranslation();
  const trpc = useTRPC();
  const location = useLocation();
  const me = useQuery(trpc.auth.me.queryOptions(undefined, { staleTime: 60_000 }));
  useSessionEndedElsewhere();
  if (me.isPending) return <PageLoader label={t('app.checkingSession')} />;
  if (me.isError) {
    if (errorCodeOf(me.error) === 'UNAUTHORIZED') return <Navigate to={signInPathFrom(location)} replace />;
    return <ErrorState error={me.error} what={t('error.yourSession')} onRetry={() => void me.refetch()} />;
  }
  if (me.data.role !== 'ADMIN') return <NoAccess me={me.data} />;
  return (
    <AppLayout me={me.data}>
      <Outlet />
    </AppLayout>
  );
}
