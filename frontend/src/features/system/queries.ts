import { useQuery } from '@tanstack/react-query';
import { healthGetHealth, systemGetSystem } from '../../api/sdk.gen';

export const systemKeys = {
  health: ['health'] as const,
  info: ['system'] as const,
};

export function useHealth() {
  return useQuery({
    queryKey: systemKeys.health,
    queryFn: async ({ signal }) => (await healthGetHealth({ signal, throwOnError: true })).data,
    staleTime: 60_000,
  });
}

export function useSystemInfo() {
  return useQuery({
    queryKey: systemKeys.info,
    queryFn: async ({ signal }) => (await systemGetSystem({ signal, throwOnError: true })).data,
  });
}
