import { Group } from '@mantine/core';
import { IconArrowLeft } from '@tabler/icons-react';
import { AnchorLink } from '../../components/RouterLinks';

export function BackToRuns() {
  return (
    <AnchorLink to="/training" size="sm">
      <Group gap={4} component="span">
        <IconArrowLeft size={14} aria-hidden />
        All runs
      </Group>
    </AnchorLink>
  );
}
