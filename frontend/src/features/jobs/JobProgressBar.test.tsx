import { MantineProvider } from '@mantine/core';
import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { JobProgress } from '../../api/types.gen';
import { JobProgressBar } from './JobProgressBar';

function renderBar(progress: JobProgress | null, idleMessage?: string) {
  render(
    <MantineProvider>
      <JobProgressBar progress={progress} label="Job 1" {...(idleMessage ? { idleMessage } : {})} />
    </MantineProvider>,
  );
  return screen.getByRole('progressbar');
}

describe('JobProgressBar', () => {
  it("shows the job's message and percentage", () => {
    const bar = renderBar({ completed: 12.3, total: 92.9, message: 'download 12.3 MB of 92.9 MB' });
    expect(bar).toHaveAccessibleName('Job 1: download 12.3 MB of 92.9 MB');
    expect(Number(bar.getAttribute('aria-valuenow'))).toBeCloseTo(13.24, 1);
    expect(screen.getByText('13%')).toBeInTheDocument();
  });

  it('counts steps when the job sends no message', () => {
    const bar = renderBar({ completed: 3, total: 10, message: '' });
    expect(bar).toHaveAccessibleName('Job 1: 3 of 10');
    expect(bar).toHaveAttribute('aria-valuenow', '30');
  });

  it('is indeterminate without a total and before any progress', () => {
    expect(renderBar({ completed: null, total: null, message: 'converting' })).toHaveAccessibleName('Job 1: converting');
    expect(screen.queryByText(/%$/)).not.toBeInTheDocument();
  });

  it('says what it waits for before the first report', () => {
    expect(renderBar(null, 'Waiting for a worker…')).toHaveAccessibleName('Job 1: Waiting for a worker…');
  });
});
