import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { renderWithProviders } from '../datasets/testData';
import { Markdown } from './Markdown';

describe('Markdown', () => {
  it('renders a reply as markdown: emphasis, lists, tables and inline code', () => {
    const text = 'Some **bold** and `x = 1`.\n\n- one\n- two\n\n| a | b |\n| - | - |\n| 1 | 2 |\n';
    const { container } = renderWithProviders(<Markdown text={text} />);
    expect(container.querySelector('strong')).toHaveTextContent('bold');
    expect(screen.getAllByRole('listitem').map((item) => item.textContent)).toEqual(['one', 'two']);
    expect(screen.getByRole('table')).toHaveTextContent('12');
    expect(container.querySelector('code')).toHaveTextContent('x = 1');
  });

  it('shows a fenced code block with its language and a button that copies its source', async () => {
    // user-event puts a clipboard of its own in place.
    const user = userEvent.setup();
    renderWithProviders(<Markdown text={'Here:\n\n```python\nprint("hi")\nx = 2\n```\n'} />);
    const block = screen.getByRole('figure', { name: 'python code' });
    expect(block.querySelector('pre')).toHaveTextContent('print("hi") x = 2');
    await user.click(within(block).getByRole('button', { name: 'Copy python code' }));
    expect(await navigator.clipboard.readText()).toBe('print("hi")\nx = 2');
    expect(await within(block).findByRole('button', { name: 'Copied' })).toBeInTheDocument();
  });

  it('never renders raw HTML, script links or remote images', () => {
    const text = '<img src=x onerror="alert(1)"><script>alert(2)</script>\n\n[click](javascript:alert(3)) ![pixel](https://tracker.example/p.gif)';
    const { container } = renderWithProviders(<Markdown text={text} />);
    expect(container.querySelector('script')).toBeNull();
    expect(container.querySelector('img')).toBeNull();
    expect(screen.getByText('click').closest('a')?.getAttribute('href') ?? '').not.toMatch(/javascript/);
    const image = screen.getByRole('link', { name: 'Image: pixel' });
    expect(image).toHaveAttribute('href', 'https://tracker.example/p.gif');
    expect(image).toHaveAttribute('rel', 'noopener noreferrer');
  });
});
