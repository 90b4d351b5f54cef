import { ActionIcon, Loader, Tooltip } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconDatabasePlus } from '@tabler/icons-react';
import type { ExportOut } from '../../api/types.gen';
import { AnchorLink } from '../../components/RouterLinks';
import { errorMessage } from '../../lib/apiError';
import { isActive } from '../jobs/status';
import { useJobSettled } from '../jobs/useJobSettled';
import { canRegister } from './exportText';
import { useRegisterExport } from './useRegisterExport';

function RegisterButton({ item }: { item: ExportOut }) {
  const register = useRegisterExport(item.id);
  const { job } = register;
  useJobSettled(job, (settled) => {
    if (settled.status === 'succeeded') return;
    notifications.show({
      color: 'red',
      title: `Could not register ${item.name}`,
      message: settled.error?.message ?? 'The register job stopped; its log may tell why.',
      autoClose: false,
    });
  });
  if (register.isStarting || (job && isActive(job.status))) {
    return <Loader size={16} aria-label={`Registering ${item.name} as a model`} />;
  }
  const label = `Register ${item.name} as a model`;
  return (
    <Tooltip label={label}>
      <ActionIcon
        variant="subtle"
        aria-label={label}
        onClick={() =>
          register.start(null, {
            onError: (error) =>
              notifications.show({ color: 'red', title: `Could not register ${item.name}`, message: errorMessage(error), autoClose: false }),
          })
        }
      >
        <IconDatabasePlus size={16} aria-hidden />
      </ActionIcon>
    </Tooltip>
  );
}

/** In a row of the exports list: register a merged or GGUF export as a model (named after it),
 * or open the model it was registered as. */
export function RegisterAction({ item }: { item: ExportOut }) {
  if (!canRegister(item)) return null;
  if (item.registered_model_id !== null) {
    return (
      <AnchorLink to="/models" search={{ model: item.registered_model_id }} size="xs" aria-label={`Open the model registered from ${item.name}`}>
        Model
      </AnchorLink>
    );
  }
  return <RegisterButton item={item} />;
}
