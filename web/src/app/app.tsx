import { Navigate, Route, Routes } from 'react-router';
import { AiActionsPage } from '../ai/ai-actions-page.tsx';
import { AlertsPage } from '../alerts/alerts-page.tsx';
import { DeviceGapsPage } from '../devices/device-gaps-page.tsx';
import { SignInPage } from '../auth/sign-in-page.tsx';
import { SuspiciousSignInsPage } from '../insights/suspicious-sign-ins-page.tsx';
import { LogPage } from '../log/log-page.tsx';
import { LogStreamsPage } from '../streams/log-streams-page.tsx';
import { RequireAdmin } from './require-admin.tsx';
import { ReadTokensPage } from '../tokens/read-tokens-page.tsx';

export function App() {
  return (
    <Routes>
      <Route path="/sign-in" element={<SignInPage />} />
      <Route element={<RequireAdmin />}>
        <Route index element={<LogPage />} />
        <Route path="suspicious-sign-ins" element={<SuspiciousSignInsPage />} />
        <Route path="device-gaps" element={<DeviceGapsPage />} />
        <Route path="read-tokens" element={<ReadTokensPage />} />
        <Route path="ai-actions" element={<AiActionsPage />} />
        <Route path="alerts" element={<AlertsPage />} />
        <Route path="log-streams" element={<LogStreamsPage />} />
      </Route>
      <Route path="*" element={<Navigate to="/" replace />} />
    </Routes>
  );
}
