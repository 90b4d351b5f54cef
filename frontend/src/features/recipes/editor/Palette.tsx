import { Stack, Text, Title, UnstyledButton } from '@mantine/core';
import type { CSSProperties, DragEvent } from 'react';
import type { NodeTypeInfo } from '../graph/types';
import { GROUPS } from './groups';

/** The drag payload of a palette item: the node type. */
export const NODE_DRAG_TYPE = 'application/x-lathe-node-type';

interface PaletteProps {
  nodeTypes: readonly NodeTypeInfo[];
  /** Adds a node of this type in the middle of the canvas (click or Enter). */
  onAdd: (type: string) => void;
}

function onDragStart(event: DragEvent<HTMLElement>, type: string) {
  event.dataTransfer.setData(NODE_DRAG_TYPE, type);
  event.dataTransfer.setData('text/plain', type);
  event.dataTransfer.effectAllowed = 'move';
}

/** Node types grouped as sources, transforms, generate and outputs: drag one onto the canvas,
 * or click it (or press Enter) to add it in the middle. */
export function Palette({ nodeTypes, onAdd }: PaletteProps) {
  return (
    <nav className="recipe-palette" aria-label="Node palette">
      <Stack gap="sm">
        <Text size="xs" c="dimmed">
          Drag a node onto the canvas, or click it to add it in the middle.
        </Text>
        {GROUPS.map(({ group, label, color, icon: GroupIcon }) => {
          const types = nodeTypes.filter((info) => info.group === group);
          if (types.length === 0) return null;
          return (
            <section key={group} aria-labelledby={`palette-${group}`}>
              <Title order={3} size="xs" tt="uppercase" c="dimmed" id={`palette-${group}`} mb={4}>
                {label}
              </Title>
              <Stack gap={4}>
                {types.map((info) => (
                  <UnstyledButton
                    key={info.type}
                    className="recipe-palette-item"
                    draggable
                    onDragStart={(event) => onDragStart(event, info.type)}
                    onClick={() => onAdd(info.type)}
                    aria-label={`Add ${info.title} node`}
                    title={info.description}
                    data-node-type={info.type}
                    style={{ '--recipe-node-color': `var(--mantine-color-${color}-6)` } as CSSProperties}
                  >
                    <GroupIcon size={14} aria-hidden />
                    <span>{info.title}</span>
                  </UnstyledButton>
                ))}
              </Stack>
            </section>
          );
        })}
      </Stack>
    </nav>
  );
}
