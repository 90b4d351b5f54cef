import { Table, Text } from '@mantine/core';
import type { ReactNode } from 'react';

export interface Fact {
  label: string;
  value: ReactNode;
  mono?: boolean;
}

/** A two-column label/value table for status and metadata views. */
export function FactList({ facts, label }: { facts: Fact[]; label: string }) {
  return (
    <Table variant="vertical" layout="fixed" withTableBorder fz="sm" aria-label={label}>
      <Table.Tbody>
        {facts.map((fact) => (
          <Table.Tr key={fact.label}>
            <Table.Th w={150}>{fact.label}</Table.Th>
            <Table.Td>
              <Text component="div" size="sm" ff={fact.mono ? 'monospace' : undefined} style={{ overflowWrap: 'anywhere' }}>
                {fact.value}
              </Text>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
