import { Modal } from '@mantine/core';
import { useState } from 'react';
import { ExportForm } from './ExportForm';
import { ExportJobView } from './ExportJobView';

interface ExportDialogProps {
  opened: boolean;
  onClose: () => void;
  /** The adapter to export, by name (as export jobs name it). */
  adapterName: string;
}

function DialogBody({ adapterName }: { adapterName: string }) {
  const [jobId, setJobId] = useState<number | null>(null);
  if (jobId === null) return <ExportForm adapterName={adapterName} onStarted={(job) => setJobId(job.id)} />;
  return <ExportJobView jobId={jobId} onBack={() => setJobId(null)} />;
}

/** Export an adapter: the options, then the export's live progress, then its verification
 * report, files, downloads and Modelfile. Each opening starts from the form again. */
export function ExportDialog({ opened, onClose, adapterName }: ExportDialogProps) {
  return (
    <Modal opened={opened} onClose={onClose} title={`Export ${adapterName}`} size="xl">
      {opened ? <DialogBody adapterName={adapterName} /> : null}
    </Modal>
  );
}
