import type { Icon } from '@tabler/icons-react';
import { IconBox, IconChartLine, IconDatabase, IconListCheck, IconMessages, IconSettings, IconTopologyStar3 } from '@tabler/icons-react';
import type { LinkProps } from '@tanstack/react-router';

export interface NavItem {
  to: NonNullable<LinkProps['to']>;
  label: string;
  icon: Icon;
}

/** The one list the navbar renders; each area adds its entry here when its route exists. */
export const NAV_ITEMS: readonly NavItem[] = [
  { to: '/models', label: 'Models', icon: IconBox },
  { to: '/datasets', label: 'Datasets', icon: IconDatabase },
  { to: '/recipes', label: 'Recipes', icon: IconTopologyStar3 },
  { to: '/training', label: 'Training', icon: IconChartLine },
  { to: '/chat', label: 'Chat', icon: IconMessages },
  { to: '/jobs', label: 'Jobs', icon: IconListCheck },
  { to: '/settings', label: 'Settings', icon: IconSettings },
];
