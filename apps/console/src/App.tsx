import { useEffect, useState } from 'react';
import { ErrorState, Loading } from './components/States';
import { Layout } from './Layout';
import { AuditPage } from './pages/Audit';
import { DashboardPage } from './pages/Dashboard';
import { NotFound } from './pages/NotFound';
import { PaymentDetailPage } from './pages/PaymentDetail';
import { PaymentsPage } from './pages/Payments';
import { SignIn } from './pages/SignIn';
import { TenantDetailPage } from './pages/TenantDetail';
import { TenantsPage } from './pages/Tenants';
import { UsersPage } from './pages/Users';
import { WebhooksPage } from './pages/Webhooks';
import { useLocation, type Location } from './router';
import { SessionProvider, takeSessionExpired, useMeQuery } from './session';

export function App() {
  const me = useMeQuery();
  const location = useLocation();
  const [expired, setExpired] = useState(false);

  // Remember "your session ended" for the sign-in form that follows a 401.
  const signedOut = me.data === null;
  useEffect(() => {
    if (signedOut && takeSessionExpired()) setExpired(true);
    if (!signedOut) setExpired(false);
  }, [signedOut]);

  useEffect(() => {
    document.title = me.data ? `${titleOf(location)} — Payments console` : 'Sign in — Payments console';
  }, [location, me.data]);

  if (me.isPending) return <Loading label="Opening the console…" />;
  if (me.isError) return <ErrorState title="The console is unavailable" error={me.error} onRetry={() => void me.refetch()} />;
  if (!me.data) return <SignIn expired={expired} />;

  return (
    <SessionProvider me={me.data}>
      <Layout path={location.path}>
        <Page location={location} />
      </Layout>
    </SessionProvider>
  );
}

function Page({ location }: { location: Location }) {
  const [section, id, ...rest] = location.segments;
  if (rest.length > 0) return <NotFound />;
  switch (section) {
    case undefined:
      return <DashboardPage />;
    case 'payments':
      return id ? <PaymentDetailPage key={id} paymentId={id} /> : <PaymentsPage query={location.query} />;
    case 'tenants':
      return id ? <TenantDetailPage key={id} tenantId={id} /> : <TenantsPage />;
    case 'webhooks':
      return id ? <NotFound /> : <WebhooksPage query={location.query} />;
    case 'audit':
      return id ? <NotFound /> : <AuditPage query={location.query} />;
    case 'users':
      return id ? <NotFound /> : <UsersPage />;
    default:
      return <NotFound />;
  }
}

function titleOf(location: Location): string {
  const [section, id] = location.segments;
  const names: Record<string, string> = { payments: 'Payments', tenants: 'Tenants', webhooks: 'Webhooks', audit: 'Audit log', users: 'Users' };
  if (!section) return 'Dashboard';
  const name = names[section] ?? 'Not found';
  return id ? `${id} — ${name}` : name;
}
