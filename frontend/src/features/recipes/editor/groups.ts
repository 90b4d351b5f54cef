import type { Icon } from '@tabler/icons-react';
import { IconDatabaseExport, IconDatabaseImport, IconSparkles, IconTransform } from '@tabler/icons-react';
import type { NodeTypeInfo } from '../graph/types';

export type NodeGroup = NodeTypeInfo['group'];

export const GROUPS: ReadonlyArray<{ group: NodeGroup; label: string; color: string; icon: Icon }> = [
  { group: 'source', label: 'Sources', color: 'teal', icon: IconDatabaseImport },
  { group: 'transform', label: 'Transforms', color: 'indigo', icon: IconTransform },
  { group: 'generate', label: 'Generate', color: 'grape', icon: IconSparkles },
  { group: 'output', label: 'Outputs', color: 'orange', icon: IconDatabaseExport },
];

export function groupMeta(group: NodeGroup | undefined) {
  return GROUPS.find((entry) => entry.group === group) ?? GROUPS[1]!;
}
