import { AppShell, Burger, Button, Group, NavLink, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useEffect, useRef, type ReactNode } from 'react';
import { RoleBadge } from './components/Badges';
import { isAdmin, useMe, useSignOut } from './session';

interface NavItem {
  label: string;
  path: string;
  adminOnly?: boolean;
}

export const NAV: NavItem[] = [
  { label: 'Dashboard', path: '/' },
  { label: 'Payments', path: '/payments' },
  { label: 'Tenants', path: '/tenants' },
  { label: 'Webhooks', path: '/webhooks' },
  { label: 'Audit log', path: '/audit' },
  { label: 'Users', path: '/users', adminOnly: true },
];

function isActive(item: NavItem, path: string): boolean {
  if (item.path === '/') return path === '/';
  return path === item.path || path.startsWith(`${item.path}/`);
}

export function Layout({ path, children }: { path: string; children: ReactNode }) {
  const me = useMe();
  const signOut = useSignOut();
  const [opened, { toggle, close }] = useDisclosure(false);
  const main = useRef<HTMLElement>(null);
  const firstPath = useRef(path);
  // A new page (hash change): move the focus to its content, as a full page load would.
  useEffect(() => {
    if (path !== firstPath.current) main.current?.focus({ preventScroll: false });
    firstPath.current = '';
  }, [path]);

  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <AppShell.Header>
        <button type="button" className="skip-link" onClick={() => main.current?.focus()}>
          Skip to content
        </button>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={opened ? 'Close navigation' : 'Open navigation'} />
            <Text fw={700} component="a" href="#/" className="brand" style={{ whiteSpace: 'nowrap' }}>
              <Text span inherit visibleFrom="xs">
                Payments console
              </Text>
              <Text span inherit hiddenFrom="xs">
                Console
              </Text>
            </Text>
          </Group>
          <Group gap="sm" wrap="nowrap">
            <Text size="sm" visibleFrom="xs" data-testid="signed-in-as">
              {me.email}
            </Text>
            <RoleBadge role={me.role} />
            <Button variant="default" size="xs" onClick={() => void signOut()} style={{ flexShrink: 0 }}>
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" component="nav" aria-label="Main">
        {NAV.filter((item) => !item.adminOnly || isAdmin(me.role)).map((item) => {
          const active = isActive(item, path);
          return (
            <NavLink
              key={item.path}
              href={`#${item.path}`}
              label={item.label}
              active={active}
              aria-current={active ? 'page' : undefined}
              onClick={close}
            />
          );
        })}
      </AppShell.Navbar>
      <AppShell.Main ref={main} tabIndex={-1} className="main-content">
        {children}
      </AppShell.Main>
    </AppShell>
  );
}

export function PageTitle({ children, actions }: { children: ReactNode; actions?: ReactNode }) {
  return (
    <Group justify="space-between" mb="md" wrap="wrap">
      <Title order={1} size="h2">
        {children}
      </Title>
      {actions ? <Group gap="sm">{actions}</Group> : null}
    </Group>
  );
}
