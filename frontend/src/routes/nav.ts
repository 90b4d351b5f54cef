import type { Icon } from '@tabler/icons-react';
import { IconBox, IconDatabase, IconListCheck, IconSettings, IconTopologyStar3 } from '@tabler/icons-react';
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
  { to: '/jobs', label: 'Jobs', icon: IconListCheck },
  { to: '/settings', label: 'Settings', icon: IconSettings },
];
