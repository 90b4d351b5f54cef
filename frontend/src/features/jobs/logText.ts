/** A log as a terminal shows it: a carriage return starts its line over, so a progress bar that
 * redraws itself (tqdm, pip) shows its latest state instead of every frame. CRLF ends a line. */
export function terminalText(log: string): string {
  if (!log.includes('\r')) return log;
  return log
    .split('\n')
    .map((line) => {
      const body = line.replace(/\r+$/, '');
      return body.slice(body.lastIndexOf('\r') + 1);
    })
    .join('\n');
}
