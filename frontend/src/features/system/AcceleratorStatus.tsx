import { Badge, Group, Progress, Stack, Table, Text } from '@mantine/core';
import type { SystemInfo } from '../../api/types.gen';
import { formatBytes } from '../../components/format';
import { tritonModeLabel } from './systemFacts';

function CudaDevices({ devices }: { devices: SystemInfo['cuda_devices'] }) {
  return (
    <Table withTableBorder fz="sm" aria-label="CUDA devices">
      <Table.Thead>
        <Table.Tr>
          <Table.Th scope="col">#</Table.Th>
          <Table.Th scope="col">Device</Table.Th>
          <Table.Th scope="col">Memory</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {devices.map((device) => {
          const used = device.memory_total_bytes - device.memory_free_bytes;
          const percent = device.memory_total_bytes > 0 ? (used / device.memory_total_bytes) * 100 : 0;
          return (
            <Table.Tr key={device.index}>
              <Table.Td>{device.index}</Table.Td>
              <Table.Td>{device.name}</Table.Td>
              <Table.Td>
                <Stack gap={4}>
                  <Text size="xs">
                    {formatBytes(device.memory_free_bytes)} free of {formatBytes(device.memory_total_bytes)}
                  </Text>
                  <Progress value={percent} size="sm" aria-label={`GPU ${device.index} memory in use`} />
                </Stack>
              </Table.Td>
            </Table.Tr>
          );
        })}
      </Table.Tbody>
    </Table>
  );
}

export function AcceleratorStatus({ info }: { info: SystemInfo }) {
  return (
    <Stack gap="sm">
      <Group gap="xs">
        <Text size="sm" fw={600}>
          CUDA
        </Text>
        <Badge color={info.cuda_available ? 'teal' : 'gray'} variant="light">
          {info.cuda_available ? `${info.cuda_devices.length} device(s)` : 'not available'}
        </Badge>
      </Group>
      {info.cuda_available && info.cuda_devices.length > 0 ? (
        <CudaDevices devices={info.cuda_devices} />
      ) : (
        <Text size="sm" c="dimmed">
          Training and chat run on the CPU. Install a CUDA build of PyTorch on a machine with an NVIDIA GPU to use it.
        </Text>
      )}
      <Group gap="xs">
        <Text size="sm" fw={600}>
          Triton
        </Text>
        <Badge color={info.triton_usable ? 'teal' : 'gray'} variant="light">
          {info.triton_usable ? 'usable' : 'not usable'}
        </Badge>
      </Group>
      <Text size="sm" c="dimmed">
        {tritonModeLabel(info.triton_mode)}
      </Text>
    </Stack>
  );
}
