import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { filterProblems, type Problem, ReportView } from './ReportView';
import { chatReport, renderWithProviders } from './testData';

function problemRows() {
  const table = screen.getByRole('table', { name: 'Problems' });
  return within(table)
    .getAllByRole('row')
    .slice(1)
    .map((row) => within(row).getAllByRole('cell').map((cell) => cell.textContent));
}

describe('detection report', () => {
  it('shows the file type, detected and stored format and the counts', () => {
    renderWithProviders(<ReportView report={chatReport} />);
    const facts = screen.getByRole('table', { name: 'Detection report' });
    expect(within(facts).getByRole('row', { name: /File type/ })).toHaveTextContent('JSON Lines');
    expect(within(facts).getByRole('row', { name: /Format/ })).toHaveTextContent('Detected ShareGPT→stored as messages');
    expect(within(facts).getByRole('row', { name: /Records read/ })).toHaveTextContent('123');
    expect(within(facts).getByRole('row', { name: /Rows kept/ })).toHaveTextContent('120');
    expect(within(facts).getByRole('row', { name: /Rows skipped/ })).toHaveTextContent('3');
  });

  it('lists every problem with its line, record and reason', () => {
    renderWithProviders(<ReportView report={chatReport} />);
    expect(problemRows()).toEqual([
      ['2', '2', "line 2: invalid JSON at column 43: Expecting ',' delimiter"],
      ['17', '17', 'line 17: no assistant turn'],
      ['90', '90', "line 90: unknown role 'narrator'"],
    ]);
    expect(screen.getByTestId('problems-shown')).toHaveTextContent('3 problems listed');
    expect(screen.queryByTestId('problems-unlisted')).not.toBeInTheDocument();
  });

  it('filters the problems by words of the reason or by line number', async () => {
    const user = userEvent.setup();
    renderWithProviders(<ReportView report={chatReport} />);
    const filter = screen.getByRole('textbox', { name: /Filter problems/ });

    await user.type(filter, 'ASSISTANT');
    expect(problemRows()).toEqual([['17', '17', 'line 17: no assistant turn']]);
    expect(screen.getByTestId('problems-shown')).toHaveTextContent('1 of 3 listed problems match');

    await user.clear(filter);
    await user.type(filter, '90');
    expect(problemRows().map((row) => row[0])).toEqual(['90']);

    await user.clear(filter);
    await user.type(filter, 'nothing like this');
    expect(screen.queryByRole('table', { name: 'Problems' })).not.toBeInTheDocument();
    expect(screen.getByText('No listed problem matches “nothing like this”.')).toBeInTheDocument();
  });

  it('says how many more problems there were than the report lists', () => {
    const problems: Problem[] = Array.from({ length: 1000 }, (_, i) => ({
      line: i + 1,
      record: i + 1,
      reason: `line ${i + 1}: no assistant turn`,
    }));
    renderWithProviders(
      <ReportView report={{ ...chatReport, problems, problem_count: 1234, rows: { total: 1300, valid: 66, skipped: 1234 } }} />,
    );
    expect(problemRows()).toHaveLength(1000);
    expect(screen.getByTestId('problems-unlisted')).toHaveTextContent(
      '234 more not listed: the report keeps the first 1,000 of 1,234 problems.',
    );
  });

  it('says when there were no problems, and when there is no report', () => {
    const { unmount } = renderWithProviders(
      <ReportView report={{ ...chatReport, problems: [], problem_count: 0, rows: { total: 120, valid: 120, skipped: 0 } }} />,
    );
    expect(screen.getByText('Every record in the file was read and kept.')).toBeInTheDocument();
    unmount();
    renderWithProviders(<ReportView report={null} />);
    expect(screen.getByRole('status', { name: 'No detection report' })).toBeInTheDocument();
  });

  it('matches problems without a line (Parquet) by record number', () => {
    const parquet: Problem[] = [{ line: null, record: 4, reason: 'record 4: empty messages' }];
    expect(filterProblems(parquet, '4')).toEqual(parquet);
    expect(filterProblems(parquet, '5')).toEqual([]);
  });
});
