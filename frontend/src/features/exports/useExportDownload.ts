import { notifications } from '@mantine/notifications';
import { type MouseEvent, useCallback, useState } from 'react';
import { errorMessage } from '../../lib/apiError';
import { readApiToken } from '../../lib/apiToken';
import { fetchExportFile } from './api';

function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  // The click has handed the blob to the browser's download by the time the next task runs.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/** The click handler of a download link (a plain <a href> to the download endpoint). Without an
 * API token the browser follows the link and streams the file to disk. A browser cannot put the
 * token on a followed link, so with one the file is read through the generated client (which
 * sends it) into memory first, then saved. */
export function useExportDownload(exportId: number, file: string | null, fileName: string) {
  const [pending, setPending] = useState(false);
  const onClick = useCallback(
    (event: MouseEvent<HTMLAnchorElement>) => {
      if (readApiToken() === null) return;
      event.preventDefault();
      setPending(true);
      fetchExportFile(exportId, file)
        .then(
          (blob) => saveBlob(blob, fileName),
          (error: unknown) =>
            notifications.show({ color: 'red', title: `Could not download ${fileName}`, message: errorMessage(error), autoClose: false }),
        )
        .finally(() => setPending(false));
    },
    [exportId, file, fileName],
  );
  return { onClick, pending };
}
