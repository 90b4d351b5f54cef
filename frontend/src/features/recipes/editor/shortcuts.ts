import { type RefObject, useEffect, useRef } from 'react';
import type { EditorStore } from './store';

const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);
export const MOD = isMac ? '⌘' : 'Ctrl';

/** The shortcuts the help popover lists (and the editor handles). */
export const SHORTCUTS: ReadonlyArray<{ keys: string; action: string }> = [
  { keys: `${MOD}+S`, action: 'Save (a new version)' },
  { keys: `${MOD}+Z`, action: 'Undo' },
  { keys: `${MOD}+Shift+Z or ${MOD}+Y`, action: 'Redo' },
  { keys: `${MOD}+C / ${MOD}+V`, action: 'Copy / paste the selected nodes' },
  { keys: `${MOD}+A`, action: 'Select every node' },
  { keys: 'Delete or Backspace', action: 'Delete the selected nodes and edges' },
  { keys: 'Shift+drag', action: 'Select nodes in a box' },
  { keys: `${MOD}+click`, action: 'Add a node to the selection' },
  { keys: 'Tab, then arrow keys', action: 'Focus a node, then move it' },
  { keys: 'Enter on a palette item', action: 'Add that node in the middle' },
];

function isEditable(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName)) return true;
  return target.closest('.cm-editor, [contenteditable="true"]') !== null;
}

const hasTextSelection = () => (window.getSelection()?.toString() ?? '') !== '';

/** The editor's keyboard shortcuts, on the whole page while it is open: save everywhere;
 * the others when the focus is on the canvas or nowhere (not while typing in a field, where
 * the keys keep their usual meaning, nor in a dialog). */
export function useEditorShortcuts(root: RefObject<HTMLElement | null>, store: EditorStore, onSave: () => void): void {
  const save = useRef(onSave);
  useEffect(() => {
    save.current = onSave;
  });
  useEffect(() => {
    function onKeyDown(event: KeyboardEvent) {
      const mod = event.ctrlKey || event.metaKey;
      const key = event.key.toLowerCase();
      if (mod && key === 's') {
        event.preventDefault();
        save.current();
        return;
      }
      const target = event.target;
      if (event.defaultPrevented || isEditable(target)) return;
      if (target instanceof HTMLElement && target.closest('[role="dialog"]')) return;
      const inEditor = target === document.body || (target instanceof Node && root.current?.contains(target));
      if (!inEditor) return;
      const { actions } = store.getState();
      if (mod && key === 'z') {
        event.preventDefault();
        if (event.shiftKey) actions.redo();
        else actions.undo();
      } else if (mod && key === 'y') {
        event.preventDefault();
        actions.redo();
      } else if (mod && key === 'a') {
        event.preventDefault();
        actions.selectAll();
      } else if (mod && key === 'c') {
        if (hasTextSelection()) return;
        if (actions.copy() > 0) event.preventDefault();
      } else if (mod && key === 'v') {
        if (actions.paste() > 0) event.preventDefault();
      } else if (!mod && (key === 'delete' || key === 'backspace')) {
        event.preventDefault();
        actions.deleteSelected();
      }
    }
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, [root, store]);
}
