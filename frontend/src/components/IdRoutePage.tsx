import { Stack } from '@mantine/core';
import { IconMapOff } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { EmptyState } from './EmptyState';

interface IdRoutePageProps {
  /** The id read from the address (NaN or worse when it was not a number). */
  id: number;
  /** What the id names, in the singular ("job", "run"). */
  noun: string;
  /** The link back to the list, above the page. */
  back: ReactNode;
  /** The page for a valid id. */
  children: (id: number) => ReactNode;
}

/** A page addressed by a numeric id: the back link, then the page, or an explanation when the
 * address holds no valid id. */
export function IdRoutePage({ id, noun, back, children }: IdRoutePageProps) {
  const capitalised = noun.charAt(0).toUpperCase() + noun.slice(1);
  return (
    <Stack gap="sm">
      {back}
      {Number.isInteger(id) && id > 0 ? (
        children(id)
      ) : (
        <EmptyState icon={<IconMapOff size={26} />} title={`No such ${noun}`}>
          {capitalised} ids are whole numbers. Pick a {noun} from the list instead.
        </EmptyState>
      )}
    </Stack>
  );
}
