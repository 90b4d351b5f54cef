import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { renderWithProviders } from './testData';
import { UploadProgress, uploadPercent } from './UploadProgress';

describe('upload progress', () => {
  it('shows the bytes sent of the total as a bar and in words', async () => {
    const cancel = vi.fn();
    renderWithProviders(
      <UploadProgress fileName="chat.jsonl" fileSize={3_000_000} progress={{ loaded: 1_500_000, total: 3_000_100 }} onCancel={cancel} />,
    );
    const bar = screen.getByRole('progressbar', { name: 'Uploading chat.jsonl' });
    expect(bar).toHaveAttribute('aria-valuenow', String((1_500_000 / 3_000_100) * 100));
    expect(screen.getByTestId('upload-progress')).toHaveTextContent('Uploading chat.jsonl: 1.5 MB of 3 MB49%');
    await userEvent.setup().click(screen.getByRole('button', { name: 'Cancel upload' }));
    expect(cancel).toHaveBeenCalledOnce();
  });

  it('says the server is checking the file once every byte is sent', () => {
    renderWithProviders(<UploadProgress fileName="chat.jsonl" fileSize={900} progress={{ loaded: 1000, total: 1000 }} onCancel={() => undefined} />);
    expect(screen.getByTestId('upload-progress')).toHaveTextContent('Sent 1 KB; the server is checking the file…');
    expect(screen.queryByRole('button', { name: 'Cancel upload' })).not.toBeInTheDocument();
  });

  it('has no percentage before the browser knows the total', () => {
    expect(uploadPercent({ loaded: 10, total: null })).toBeNull();
    expect(uploadPercent({ loaded: 5, total: 10 })).toBe(50);
    renderWithProviders(<UploadProgress fileName="a.txt" fileSize={2000} progress={{ loaded: 0, total: null }} />);
    expect(screen.getByTestId('upload-progress')).toHaveTextContent('Uploading a.txt: 0 B of 2 KB…');
  });
});
