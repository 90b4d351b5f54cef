import {
  Anchor,
  Button,
  Collapse,
  Group,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core';
import { IconChevronDown, IconChevronRight, IconUpload } from '@tabler/icons-react';
import { type FormEvent, useEffect, useId, useState } from 'react';
import type { DatasetUploadOut } from '../../api/types.gen';
import { ErrorAlert } from '../../components/ErrorAlert';
import type { UploadBody } from './api';
import { FileDropZone } from './FileDropZone';
import { DEFAULT_MAX_LENGTH, IMPORT_FORMAT_OPTIONS, IMPORT_FORMATS, type ImportFormat, isImportFormat } from './formats';
import { useUploadDataset } from './queries';
import { UploadProgress } from './UploadProgress';
import { isAbort, uploadErrors } from './uploadErrors';
import { TokenStatsFields } from './TokenStatsFields';

interface DatasetUploadFormProps {
  /** Upload the file as a new version of this dataset instead of a new dataset. */
  datasetId?: number;
  /** Called with the server's answer once the file was accepted and its import job queued. */
  onUploaded: (queued: DatasetUploadOut) => void;
}

/** The dataset name the server derives from a file: its name without the extension. */
export function nameFromFile(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  return dot > 0 ? fileName.slice(0, dot) : fileName;
}

/** Upload a dataset file: drop it or pick it, set the options, and watch the bytes go. */
export function DatasetUploadForm({ datasetId, onUploaded }: DatasetUploadFormProps) {
  const id = useId();
  const newVersion = datasetId !== undefined;
  const [file, setFile] = useState<File | null>(null);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [format, setFormat] = useState<ImportFormat>('auto');
  const [strict, setStrict] = useState(false);
  const [statsModel, setStatsModel] = useState<string | null>(null);
  const [maxLength, setMaxLength] = useState<number | string>(DEFAULT_MAX_LENGTH);
  const [advanced, setAdvanced] = useState(false);
  const upload = useUploadDataset();
  const uploading = upload.isPending;
  const cancelled = upload.cancelled || isAbort(upload.error);
  const errors = cancelled ? {} : uploadErrors(upload.error, file?.size ?? null);

  // An error about an advanced option opens that section, so the message is seen.
  const advancedError = errors.stats_model ?? errors.max_length;
  useEffect(() => {
    if (advancedError) setAdvanced(true);
  }, [advancedError]);

  const edited = () => {
    if (upload.error) upload.reset();
  };

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!file || uploading) return;
    const length = typeof maxLength === 'number' ? maxLength : Number.parseInt(maxLength, 10);
    const body: UploadBody = {
      file,
      format,
      strict,
      ...(newVersion ? { dataset_id: datasetId } : {}),
      ...(!newVersion && name.trim() ? { name: name.trim() } : {}),
      ...(!newVersion && description.trim() ? { description: description.trim() } : {}),
      ...(statsModel ? { stats_model: statsModel } : {}),
      ...(Number.isFinite(length) ? { max_length: length } : {}),
    };
    upload.mutate(body, {
      onSuccess: (queued) => {
        setFile(null);
        setName('');
        setDescription('');
        onUploaded(queued);
      },
    });
  };

  const formatHelp = IMPORT_FORMATS[format].help;

  return (
    <form onSubmit={submit} noValidate aria-label={newVersion ? 'Upload a new version' : 'Upload a dataset'}>
      <Stack gap="sm">
        <FileDropZone
          id={`${id}-file`}
          file={file}
          onChange={(chosen) => {
            setFile(chosen);
            edited();
          }}
          error={errors.file}
          disabled={uploading}
        />
        {!newVersion ? (
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
            <TextInput
              label="Name"
              description="Letters, digits, dot, dash, underscore. Default: the file name."
              placeholder={file ? nameFromFile(file.name) : 'my-dataset'}
              value={name}
              onChange={(event) => {
                setName(event.currentTarget.value);
                edited();
              }}
              error={errors.name}
              autoComplete="off"
              spellCheck={false}
              disabled={uploading}
            />
            <Textarea
              label="Description"
              description="Optional: what the rows are and where they came from."
              value={description}
              onChange={(event) => {
                setDescription(event.currentTarget.value);
                edited();
              }}
              error={errors.description}
              rows={1}
              disabled={uploading}
            />
          </SimpleGrid>
        ) : null}
        <Select
          label="Format"
          description={formatHelp}
          data={IMPORT_FORMAT_OPTIONS}
          value={format}
          onChange={(value) => {
            if (isImportFormat(value)) setFormat(value);
            edited();
          }}
          allowDeselect={false}
          error={errors.format}
          disabled={uploading}
        />
        <Switch
          label="Strict: refuse the file at its first problem"
          description="Off: keep the valid rows and report every skipped row with its line and reason."
          checked={strict}
          onChange={(event) => {
            setStrict(event.currentTarget.checked);
            edited();
          }}
          error={errors.strict}
          disabled={uploading}
        />
        <Anchor
          component="button"
          type="button"
          size="sm"
          onClick={() => setAdvanced((open) => !open)}
          aria-expanded={advanced}
          aria-controls={`${id}-advanced`}
          style={{ alignSelf: 'flex-start' }}
        >
          <Group gap={4} component="span">
            {advanced ? <IconChevronDown size={14} aria-hidden /> : <IconChevronRight size={14} aria-hidden />}
            Advanced: token statistics
          </Group>
        </Anchor>
        <Collapse expanded={advanced} id={`${id}-advanced`}>
          <TokenStatsFields
            model={statsModel}
            onModel={setStatsModel}
            maxLength={maxLength}
            onMaxLength={setMaxLength}
            maxLengthDescription="The training max length; the stats show the share of rows longer than this."
            errors={errors}
            disabled={uploading}
            onEdit={edited}
          />
        </Collapse>
        {errors.form ? <ErrorAlert title="Upload failed" error={errors.form} /> : null}
        {cancelled ? (
          <Text size="sm" c="dimmed" role="status">
            Upload cancelled; nothing was stored.
          </Text>
        ) : null}
        {uploading && upload.progress && file ? (
          <UploadProgress fileName={file.name} fileSize={file.size} progress={upload.progress} onCancel={upload.cancel} />
        ) : null}
        <Button
          type="submit"
          loading={uploading}
          disabled={!file}
          leftSection={<IconUpload size={16} aria-hidden />}
          style={{ alignSelf: 'flex-start' }}
        >
          {newVersion ? 'Upload new version' : 'Upload'}
        </Button>
      </Stack>
    </form>
  );
}
