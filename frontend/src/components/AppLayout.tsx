import { Anchor, AppShell, Badge, Box, Burger, Container, Group, NavLink, Text, ThemeIcon, Tooltip } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconStack2 } from '@tabler/icons-react';
import { Link, Outlet, useRouterState } from '@tanstack/react-router';
import { useHealth } from '../features/system/queries';
import { NAV_ITEMS } from '../routes/nav';
import { ThemeToggle } from './ThemeToggle';

const MAIN_ID = 'main-content';

function ServerVersion() {
  const health = useHealth();
  if (health.isError) {
    return (
      <Tooltip label="The Lathe server did not answer its health check">
        <Badge color="red" variant="light">
          offline
        </Badge>
      </Tooltip>
    );
  }
  if (!health.data) return null;
  return (
    <Badge variant="light" color="gray" tt="none" aria-label={`Lathe version ${health.data.version}`}>
      v{health.data.version}
    </Badge>
  );
}

export function AppLayout() {
  const [opened, { toggle, close }] = useDisclosure(false);
  const pathname = useRouterState({ select: (state) => state.location.pathname });

  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 200, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding="md"
    >
      <Anchor href={`#${MAIN_ID}`} className="skip-link">
        Skip to content
      </Anchor>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Toggle navigation" />
            <Anchor component={Link} to="/models" underline="never" c="inherit" aria-label="Lathe home">
              <Group gap={8} wrap="nowrap">
                <ThemeIcon size="md" radius="md" aria-hidden>
                  <IconStack2 size={18} />
                </ThemeIcon>
                <Text fw={700} size="lg">
                  Lathe
                </Text>
              </Group>
            </Anchor>
            <ServerVersion />
          </Group>
          <ThemeToggle />
        </Group>
      </AppShell.Header>

      <AppShell.Navbar p="sm" component="nav" aria-label="Main navigation">
        {NAV_ITEMS.map((item) => {
          const active = pathname === item.to || pathname.startsWith(`${item.to}/`);
          return (
            <NavLink
              key={item.to}
              component={Link}
              to={item.to}
              label={item.label}
              leftSection={<item.icon size={18} stroke={1.6} aria-hidden />}
              active={active}
              aria-current={active ? 'page' : undefined}
              onClick={close}
            />
          );
        })}
      </AppShell.Navbar>

      <AppShell.Main>
        <Box id={MAIN_ID} tabIndex={-1}>
          <Container size="xl" px={0}>
            <Outlet />
          </Container>
        </Box>
      </AppShell.Main>
    </AppShell>
  );
}
