import type { ErrorComponentProps } from '@tanstack/react-router';
import { ErrorAlert } from './ErrorAlert';

/** Shown in place of a page that failed to render, with a way to try again. */
export function RouteError({ error, reset }: ErrorComponentProps) {
  return <ErrorAlert title="This page failed to load" error={error} onRetry={reset} />;
}
