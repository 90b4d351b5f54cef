import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { binRange, Histogram } from './Histogram';
import { formatShare, TokenLengths } from './StatsView';
import { chatStats, renderWithProviders } from './testData';

describe('histogram', () => {
  it('labels bins by their range, the open last one with a plus', () => {
    expect(binRange({ min: 0, max: 16, count: 1 })).toBe('0–16');
    expect(binRange({ min: 5, max: 5, count: 1 })).toBe('5');
    expect(binRange({ min: 2049, max: null, count: 1 })).toBe('2,049+');
  });

  it('draws one bar per bin, as high as its share of the largest, with the numbers in a table', () => {
    renderWithProviders(
      <Histogram
        title="Messages per conversation"
        unit="messages"
        bins={[
          { min: 0, max: 1, count: 0 },
          { min: 2, max: 2, count: 30 },
          { min: 3, max: null, count: 60 },
        ]}
      />,
    );
    const figure = screen.getByRole('figure', { name: 'Messages per conversation' });
    const bars = within(figure).getAllByTestId('histogram-bar');
    expect(bars.map((bar) => (bar.querySelector('.histogram-bar') as HTMLElement).style.height)).toEqual([
      '0%',
      '50%',
      '100%',
    ]);
    expect(bars[0]).toHaveAttribute('data-empty', 'true');
    expect(bars[1]).toHaveAttribute('title', '2 messages: 30 rows (33%)');

    const table = within(figure).getByRole('table', { name: 'Messages per conversation' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows.map((row) => row.textContent)).toEqual(['0–100%', '23033%', '3+6067%']);
  });

  it('highlights the rows over the max length and says their share', () => {
    const tokens = chatStats.tokens!;
    renderWithProviders(<TokenLengths tokens={tokens} />);
    const figure = screen.getByRole('figure', { name: /Token length per row \(smollm2-135m-instruct tokenizer\), max length 64/ });
    const bars = within(figure).getAllByTestId('histogram-bar');
    expect(bars.map((bar) => bar.hasAttribute('data-highlight'))).toEqual([false, false, false, true]);
    expect(within(figure).getByRole('rowheader', { name: '65+ (longer than 64 tokens)' })).toBeInTheDocument();
    expect(screen.getByTestId('over-max-length')).toHaveTextContent(
      '10% of rows (12) are longer than 64 tokens: training cuts them at the max length.',
    );
  });

  it('says so when no row is over the max length', () => {
    renderWithProviders(
      <TokenLengths tokens={{ ...chatStats.tokens!, over_max_length: 0, over_max_length_share: 0 }} />,
    );
    expect(screen.getByTestId('over-max-length')).toHaveTextContent('No row is longer than 64 tokens (0%).');
  });

  it('formats shares', () => {
    expect(formatShare(0.125)).toBe('12.5%');
    expect(formatShare(0.5)).toBe('50%');
    expect(formatShare(0.0001)).toBe('<0.1%');
    expect(formatShare(0)).toBe('0%');
  });
});
