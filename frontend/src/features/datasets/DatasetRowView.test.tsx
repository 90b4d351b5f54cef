import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { CLAMP_CHARS } from './ChatBubbles';
import { DatasetRowView } from './DatasetRowView';
import { renderWithProviders } from './testData';

describe('row renderer', () => {
  it('shows a conversation as chat bubbles, one per message, labelled and styled by role', () => {
    renderWithProviders(
      <DatasetRowView
        format="messages"
        row={{
          messages: [
            { role: 'system', content: 'Be brief.' },
            { role: 'user', content: 'Hi\n  there' },
            { role: 'assistant', content: '**Hello!**\n\n- one\n- two' },
            { role: 'tool', content: '{"temp": 21}' },
          ],
        }}
      />,
    );
    const chat = screen.getByRole('list', { name: 'Conversation' });
    const bubbles = within(chat).getAllByRole('listitem');
    expect(bubbles.map((bubble) => bubble.getAttribute('data-role'))).toEqual(['system', 'user', 'assistant', 'tool']);
    expect(bubbles.map((bubble) => bubble.firstElementChild?.textContent)).toEqual(['System', 'User', 'Assistant', 'Tool']);
    expect(bubbles.every((bubble) => bubble.classList.contains('chat-message'))).toBe(true);

    // Plain text exactly as stored: whitespace and line breaks kept, markdown not rendered.
    const user = bubbles[1]!.querySelector('.chat-content');
    expect(user?.textContent).toBe('Hi\n  there');
    const assistant = bubbles[2]!.querySelector('.chat-content');
    expect(assistant?.textContent).toBe('**Hello!**\n\n- one\n- two');
    expect(within(bubbles[2]!).queryByRole('strong')).not.toBeInTheDocument();
    expect(bubbles[2]!.querySelector('strong, ul, li')).toBeNull();
  });

  it('shows the start of a very long message and the rest on request', async () => {
    const user = userEvent.setup();
    const long = 'x'.repeat(CLAMP_CHARS + 500);
    renderWithProviders(<DatasetRowView format="messages" row={{ messages: [{ role: 'assistant', content: long }] }} />);
    const content = document.querySelector('.chat-content');
    expect(content?.textContent).toHaveLength(CLAMP_CHARS + 1);
    await user.click(screen.getByRole('button', { name: `Show all ${(CLAMP_CHARS + 500).toLocaleString('en-US')} characters` }));
    expect(document.querySelector('.chat-content')?.textContent).toBe(long);
    expect(screen.getByRole('button', { name: 'Show less' })).toHaveAttribute('aria-expanded', 'true');
  });

  it('shows a preference pair as the prompt over chosen and rejected side by side', () => {
    renderWithProviders(
      <DatasetRowView
        format="preference"
        row={{
          prompt: [{ role: 'user', content: 'What is 7 × 8?' }],
          chosen: [{ role: 'assistant', content: '56.' }],
          rejected: [{ role: 'assistant', content: '54.' }],
        }}
      />,
    );
    expect(within(screen.getByRole('list', { name: 'Prompt' })).getByRole('listitem')).toHaveTextContent('What is 7 × 8?');
    const chosen = screen.getByRole('region', { name: 'Chosen reply' });
    const rejected = screen.getByRole('region', { name: 'Rejected reply' });
    expect(chosen).toHaveTextContent('56.');
    expect(rejected).toHaveTextContent('54.');
    expect(chosen.parentElement).toBe(rejected.parentElement);
  });

  it('shows text rows as text and table rows as their columns', () => {
    const { unmount } = renderWithProviders(<DatasetRowView format="text" row={{ text: 'Once upon\n  a time' }} />);
    expect(document.querySelector('.chat-content')?.textContent).toBe('Once upon\n  a time');
    unmount();

    renderWithProviders(<DatasetRowView format="table" row={{ question: 'Why?', meta: { tags: ['a'] } }} />);
    const table = screen.getByRole('table', { name: 'Columns of this row' });
    const rows = within(table).getAllByRole('row');
    expect(within(rows[0]!).getByRole('rowheader')).toHaveTextContent('question');
    expect(rows[0]).toHaveTextContent('Why?');
    expect(rows[1]).toHaveTextContent('"tags"');
  });

  it('falls back to the columns for a row that lacks its format shape', () => {
    renderWithProviders(<DatasetRowView format="messages" row={{ messages: 'not a list' }} />);
    expect(screen.getByRole('table', { name: 'Columns of this row' })).toHaveTextContent('not a list');
  });
});
