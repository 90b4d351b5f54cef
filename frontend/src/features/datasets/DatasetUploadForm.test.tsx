import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DatasetDetail } from '../../api/types.gen';
import { errorBody } from '../../test/fixtures';
import { controlledEvents, finishedJob, makeJob, runningJob } from '../../test/jobs';
import { renderApp } from '../../test/render';
import { server } from '../../test/server';
import { chatDataset, chatVersion, datasetHandlers, detailOf, samples, withLayout } from './testData';

const emptyList = http.get('*/api/datasets', () => HttpResponse.json({ items: [], next_cursor: null }));
const sampleList = http.get('*/api/datasets/samples', () => HttpResponse.json(samples));

function jsonl(name = 'chat.jsonl', lines = ['{"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"hello"}]}']) {
  return new File([lines.join('\n')], name, { type: 'application/x-ndjson' });
}

async function uploadForm() {
  return screen.findByRole('form', { name: 'Upload a dataset' });
}

/** Drops a file on the drop zone the way a browser does. */
function drop(file: File) {
  fireEvent.drop(screen.getByTestId('dataset-dropzone'), { dataTransfer: { files: [file], types: ['Files'] } });
}

let restoreLayout: () => void;
beforeEach(() => {
  restoreLayout = withLayout();
  server.use(emptyList, sampleList);
});
afterEach(() => restoreLayout());

describe('Upload form', () => {
  it('takes a dropped file or a picked one, and derives the default name from it', async () => {
    const user = userEvent.setup();
    renderApp('/datasets');
    const form = await uploadForm();
    expect(within(form).getByRole('button', { name: 'Upload' })).toBeDisabled();

    drop(jsonl('support-chats.jsonl'));
    expect(within(form).getByTestId('chosen-file')).toHaveTextContent('support-chats.jsonl');
    expect(within(form).getByRole('textbox', { name: /^Name/ })).toHaveAttribute('placeholder', 'support-chats');

    await user.upload(within(form).getByTestId('dataset-file-input'), jsonl('other.csv'));
    expect(within(form).getByTestId('chosen-file')).toHaveTextContent('other.csv');
    await user.click(within(form).getByRole('button', { name: 'Remove other.csv' }));
    expect(within(form).queryByTestId('chosen-file')).not.toBeInTheDocument();
  });

  it('explains each format in its help text', async () => {
    const user = userEvent.setup();
    renderApp('/datasets');
    const form = await uploadForm();
    const format = within(form).getByRole('combobox', { name: 'Format' });
    expect(format).toHaveAccessibleDescription(/looks at the first records/);
    await user.click(format);
    await user.click(await screen.findByRole('option', { name: 'Alpaca', hidden: true }));
    expect(format).toHaveAccessibleDescription(/"instruction", an optional "input" and "output"/);
  });

  it("shows the API's error about the file next to the drop zone", async () => {
    server.use(
      http.post('*/api/datasets', () =>
        HttpResponse.json(
          errorBody('invalid_input', 'file: is empty (no records)', [
            { field: 'file', message: 'file: is empty (no records)', type: 'invalid_input', reason: 'empty' },
          ]),
          { status: 422 },
        ),
      ),
    );
    const user = userEvent.setup();
    renderApp('/datasets');
    const form = await uploadForm();
    drop(new File([''], 'empty.jsonl'));
    await user.click(within(form).getByRole('button', { name: 'Upload' }));

    expect(await within(form).findByTestId('file-error')).toHaveTextContent('file: is empty (no records)');
    expect(within(form).getByRole('group', { name: 'Dataset file' })).toHaveAccessibleDescription(
      /file: is empty \(no records\)/,
    );
    expect(within(form).getByRole('textbox', { name: /^Name/ })).not.toHaveAttribute('aria-invalid', 'true');
    // Choosing another file clears the error.
    drop(jsonl());
    expect(within(form).queryByTestId('file-error')).not.toBeInTheDocument();
  });

  it('puts a taken name on the name field and a bad option on its field', async () => {
    let answer = HttpResponse.json(
      errorBody('conflict', 'a dataset named chat already exists', [
        { field: 'name', message: 'a dataset named chat already exists', type: 'conflict' },
      ]),
      { status: 409 },
    );
    server.use(http.post('*/api/datasets', () => answer));
    const user = userEvent.setup();
    renderApp('/datasets');
    const form = await uploadForm();
    drop(jsonl());
    await user.type(within(form).getByRole('textbox', { name: /^Name/ }), 'chat');
    await user.click(within(form).getByRole('button', { name: 'Upload' }));
    const name = within(form).getByRole('textbox', { name: /^Name/ });
    await waitFor(() => expect(name).toHaveAttribute('aria-invalid', 'true'));
    expect(name).toHaveAccessibleDescription(/a dataset named chat already exists/);

    answer = HttpResponse.json(
      errorBody('invalid_input', "stats_model: no registered model 'gpt-5'", [
        { field: 'stats_model', message: "stats_model: no registered model 'gpt-5'", type: 'invalid_input' },
      ]),
      { status: 422 },
    );
    await user.clear(name);
    await user.type(name, 'chat-2');
    await user.click(within(form).getByRole('button', { name: 'Upload' }));
    // The advanced section opens to show the error where it belongs.
    const model = await within(form).findByRole('combobox', { name: 'Tokenizer model for statistics' });
    await waitFor(() => expect(model).toHaveAttribute('aria-invalid', 'true'));
    expect(model).toHaveAccessibleDescription(/no registered model 'gpt-5'/);
    expect(within(form).getByRole('button', { name: /Advanced: token statistics/ })).toHaveAttribute('aria-expanded', 'true');
  });

  it('says the upload limit when the file is too large', async () => {
    server.use(
      http.post('*/api/datasets', () =>
        HttpResponse.json(
          errorBody('too_large', 'file: larger than the upload limit of 1000 bytes (LATHE_UPLOAD_MAX_BYTES)', [
            {
              field: 'file',
              message: 'file: larger than the upload limit of 1000 bytes (LATHE_UPLOAD_MAX_BYTES)',
              type: 'too_large',
              limit: 1000,
            },
          ]),
          { status: 413 },
        ),
      ),
    );
    const user = userEvent.setup();
    renderApp('/datasets');
    const form = await uploadForm();
    drop(new File(['x'.repeat(2500)], 'big.jsonl'));
    await user.click(within(form).getByRole('button', { name: 'Upload' }));
    expect(await within(form).findByTestId('file-error')).toHaveTextContent(
      'file: larger than the upload limit of 1000 bytes (LATHE_UPLOAD_MAX_BYTES) The limit is 1 KB (1,000 bytes). This file is 2.5 KB.',
    );
  });

  it('shows the upload progress, then the dataset page with the live import until it finishes', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const fields: Record<string, FormDataEntryValue>[] = [];
    const params = { dataset_id: 7, filename: 'chat.jsonl', format: 'alpaca', strict: true };
    let job = makeJob({ id: 40, kind: 'dataset.import', params });
    let detail: DatasetDetail = detailOf({ ...chatDataset, latest: null }, []);
    const events = controlledEvents(40);
    server.use(
      http.post('*/api/datasets', async ({ request }) => {
        const form = await request.formData();
        fields.push(Object.fromEntries(form.entries()));
        await held;
        return HttpResponse.json(
          { dataset: { ...chatDataset, latest: null }, job, detected_format: 'alpaca' },
          { status: 202 },
        );
      }),
      http.get('*/api/jobs/40', () => HttpResponse.json(job)),
      events.handler,
      ...datasetHandlers(() => detail),
    );
    const user = userEvent.setup();
    const { router } = renderApp('/datasets');
    const form = await uploadForm();
    drop(jsonl());
    await user.type(within(form).getByRole('textbox', { name: /^Name/ }), 'chat');
    await user.click(within(form).getByRole('combobox', { name: 'Format' }));
    await user.click(await screen.findByRole('option', { name: 'Alpaca', hidden: true }));
    await user.click(within(form).getByRole('switch', { name: /Strict/ }));
    await user.click(within(form).getByRole('button', { name: 'Upload' }));

    const bar = await within(form).findByRole('progressbar', { name: 'Uploading chat.jsonl' });
    expect(within(form).getByTestId('upload-progress')).toHaveTextContent('Uploading chat.jsonl');
    expect(within(form).getByRole('button', { name: 'Upload' })).toHaveAttribute('data-loading', 'true');
    expect(bar).toBeInTheDocument();
    await waitFor(() => expect(fields).toHaveLength(1));
    expect(fields[0]).toMatchObject({ name: 'chat', format: 'alpaca', strict: 'true', max_length: '2048' });
    // A file part (jsdom's File crosses into Node's FormData here, so only its presence is checked).
    expect(typeof fields[0]!.file).toBe('object');
    release();

    // The dataset page follows the import job.
    await waitFor(() => expect(router.state.location.pathname).toBe('/datasets/7'));
    expect(await screen.findByRole('heading', { name: 'chat', level: 1 })).toBeInTheDocument();
    const progress = await screen.findByTestId('import-progress');
    job = runningJob({ id: 40, kind: 'dataset.import', params });
    events.send('status', { status: 'running', from: 'queued' });
    expect(await within(progress).findByText('Running')).toBeInTheDocument();
    events.send('progress', { completed: 60, total: 120, message: '60 of 120 rows written' });
    expect(
      await within(progress).findByRole('progressbar', { name: 'Importing chat.jsonl: 60 of 120 rows written' }),
    ).toBeInTheDocument();
    expect(screen.getByRole('status', { name: 'Importing' })).toBeInTheDocument();

    job = finishedJob('succeeded', { id: 40, kind: 'dataset.import', params, result: { dataset_id: 7, version: 1, rows: 120 } });
    detail = detailOf(chatDataset, [chatVersion]);
    events.send('status', { status: 'succeeded', from: 'running' });
    events.close();

    const rows = await screen.findByRole('feed', { name: 'Rows' });
    expect(await within(rows).findByRole('article', { name: 'Row 1' })).toHaveTextContent('Question 1');
    expect(screen.queryByTestId('import-progress')).not.toBeInTheDocument();
  });

  it('can cancel an upload on its way', async () => {
    server.use(http.post('*/api/datasets', () => new Promise<Response>(() => undefined)));
    const user = userEvent.setup();
    renderApp('/datasets');
    const form = await uploadForm();
    drop(jsonl());
    await user.click(within(form).getByRole('button', { name: 'Upload' }));
    await user.click(await within(form).findByRole('button', { name: 'Cancel upload' }));
    expect(await within(form).findByText('Upload cancelled; nothing was stored.')).toBeInTheDocument();
    expect(within(form).queryByRole('progressbar')).not.toBeInTheDocument();
    expect(within(form).queryByRole('alert')).not.toBeInTheDocument();
  });
});
